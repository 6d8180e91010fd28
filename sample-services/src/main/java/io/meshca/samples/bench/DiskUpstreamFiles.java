package io.meshca.samples.bench;

import io.meshca.common.pki.Pem;
import io.meshca.common.pki.PemFiles;
import io.meshca.common.plugin.PluginsConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;

/**
 * The three files of the server's {@code disk} upstream authority, written as an operator rotating the
 * corporate root would: {@code bundleFile} lists the roots the trust domain trusts, {@code certFile} and
 * {@code keyFile} are the CA that signs the server's CAs. Each file is replaced by a rename, so the
 * server, which reads them again whenever they change, never sees half a file.
 */
final class DiskUpstreamFiles {

    private final Path dir;
    private final Path certFile;
    private final Path keyFile;
    private final Path bundleFile;

    /** The files in {@code dir}, which the first write creates. */
    DiskUpstreamFiles(Path dir) {
        this.dir = dir;
        this.certFile = dir.resolve("upstream.pem");
        this.keyFile = dir.resolve("upstream.key");
        this.bundleFile = dir.resolve("upstream-roots.pem");
    }

    /** The server's {@code plugins} block: {@code upstreamAuthority: { disk: {certFile, keyFile, bundleFile} }}. */
    PluginsConfig pluginsConfig() {
        return PluginsConfig.of(Map.of(
                "upstreamAuthority",
                Map.of(
                        "disk",
                        Map.of(
                                "certFile", certFile.toString(),
                                "keyFile", keyFile.toString(),
                                "bundleFile", bundleFile.toString()))));
    }

    /** Replaces {@code bundleFile}: the roots the server publishes in the trust domain's bundle. */
    void trust(List<CorporateRoot> roots) {
        List<X509Certificate> certificates =
                roots.stream().map(CorporateRoot::certificate).toList();
        write(() -> PemFiles.writePublic(bundleFile, Pem.encodeCertificates(certificates)));
    }

    /**
     * Switches {@code certFile} and {@code keyFile} to {@code root}: the next CA the server mints is signed
     * by it. The key is written first; the server refuses (and warns about) a certificate whose key is not
     * there yet, and keeps signing with the last good pair.
     */
    void signWith(CorporateRoot root) {
        write(() -> PemFiles.writeSecret(
                keyFile, Pem.encodePrivateKey(root.keyPair().getPrivate())));
        write(() -> PemFiles.writePublic(certFile, Pem.encodeCertificates(List.of(root.certificate()))));
    }

    private interface Write {
        Path run() throws IOException;
    }

    private void write(Write write) {
        try {
            Files.createDirectories(dir);
            write.run();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the upstream authority's files: " + e.getMessage(), e);
        }
    }
}
