package io.meshca.agent.cli;

import io.meshca.common.pki.Certificates;
import io.meshca.common.pki.Keys;
import io.meshca.common.pki.Pem;
import io.meshca.common.pki.PemFiles;
import io.meshca.proto.workload.X509SVID;
import io.meshca.proto.workload.X509SVIDResponse;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a FetchX509SVID response as PEM files, one set per SVID: {@code svid.<i>.pem} (chain, leaf
 * first), {@code svid.<i>.key} (PKCS#8, mode 0600 from the moment it exists) and {@code bundle.<i>.pem}.
 */
final class SvidFiles {

    private SvidFiles() {}

    static List<Path> write(Path dir, X509SVIDResponse response) throws IOException {
        Files.createDirectories(dir);
        List<Path> written = new ArrayList<>();
        for (int i = 0; i < response.getSvidsCount(); i++) {
            X509SVID svid = response.getSvids(i);
            String chain = Pem.encodeCertificates(
                    Certificates.parseConcatenated(svid.getX509Svid().toByteArray()));
            String bundle = Pem.encodeCertificates(
                    Certificates.parseConcatenated(svid.getBundle().toByteArray()));
            written.add(PemFiles.writePublic(dir.resolve("svid." + i + ".pem"), chain));
            written.add(PemFiles.writeSecret(
                    dir.resolve("svid." + i + ".key"),
                    Pem.encodePrivateKey(Keys.parsePkcs8(svid.getX509SvidKey().toByteArray()))));
            written.add(PemFiles.writePublic(dir.resolve("bundle." + i + ".pem"), bundle));
        }
        return written;
    }
}
