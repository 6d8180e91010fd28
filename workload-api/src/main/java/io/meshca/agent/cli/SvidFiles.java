package io.meshca.agent.cli;

import io.meshca.common.pki.Certificates;
import io.meshca.common.pki.Keys;
import io.meshca.common.pki.Pem;
import io.meshca.proto.workload.X509SVID;
import io.meshca.proto.workload.X509SVIDResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Writes a FetchX509SVID response as PEM files, one set per SVID: {@code svid.<i>.pem} (chain, leaf
 * first), {@code svid.<i>.key} (PKCS#8, mode 0600 from the moment it exists) and {@code bundle.<i>.pem}.
 */
final class SvidFiles {

    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> PUBLIC = PosixFilePermissions.fromString("rw-r--r--");

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
            written.add(replace(dir.resolve("svid." + i + ".pem"), chain, PUBLIC));
            written.add(replace(
                    dir.resolve("svid." + i + ".key"),
                    Pem.encodePrivateKey(Keys.parsePkcs8(svid.getX509SvidKey().toByteArray())),
                    OWNER_ONLY));
            written.add(replace(dir.resolve("bundle." + i + ".pem"), bundle, PUBLIC));
        }
        return written;
    }

    /**
     * Writes a temporary file created with {@code permissions} (so a key is never readable by others,
     * not even briefly), then renames it over {@code target}.
     */
    private static Path replace(Path target, String content, Set<PosixFilePermission> permissions) throws IOException {
        Path temp = Files.createTempFile(
                target.getParent(),
                "." + target.getFileName(),
                ".tmp",
                PosixFilePermissions.asFileAttribute(permissions));
        try {
            Files.writeString(temp, content, StandardCharsets.US_ASCII);
            // createTempFile's attribute is filtered by the umask; set the mode explicitly too.
            Files.setPosixFilePermissions(temp, permissions);
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temp);
        }
        return target;
    }
}
