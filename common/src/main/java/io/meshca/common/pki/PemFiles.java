package io.meshca.common.pki;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/** Writes PEM files for operators: a private key is never readable by others, not even briefly. */
public final class PemFiles {

    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> PUBLIC = PosixFilePermissions.fromString("rw-r--r--");

    private PemFiles() {}

    /** A certificate or bundle: mode 0644. */
    public static Path writePublic(Path target, String pem) throws IOException {
        return replace(target, pem, PUBLIC);
    }

    /** A private key: mode 0600 from the moment the file exists. */
    public static Path writeSecret(Path target, String pem) throws IOException {
        return replace(target, pem, OWNER_ONLY);
    }

    /**
     * Writes a temporary file created with {@code permissions}, then renames it over {@code target}, so a
     * reader sees the old file or the new one, never half of one.
     */
    private static Path replace(Path target, String content, Set<PosixFilePermission> permissions) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Path temp = Files.createTempFile(
                dir, "." + target.getFileName(), ".tmp", PosixFilePermissions.asFileAttribute(permissions));
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
