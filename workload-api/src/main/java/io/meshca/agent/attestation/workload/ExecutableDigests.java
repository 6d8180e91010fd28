package io.meshca.agent.attestation.workload;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * SHA-256 of executables, cached by path, size and modification time: every Java workload runs the
 * same ~MB JDK binary, and hashing it on every call would be wasted work. A binary rewritten in place
 * changes its mtime, so it is hashed again.
 */
public class ExecutableDigests {

    private record Key(Path path, long size, FileTime modified) {}

    private static final int MAX_ENTRIES = 1024;

    private final Map<Key, String> cache = new ConcurrentHashMap<>();

    /**
     * The lowercase hex SHA-256 of the file {@code content} (read through {@code content}, e.g.
     * {@code /proc/<pid>/exe}, so that it is the binary the process runs), cached under the identity
     * of {@code path}.
     */
    public String sha256(Path content, Path path) throws IOException {
        BasicFileAttributes attributes = Files.readAttributes(content, BasicFileAttributes.class);
        Key key = new Key(path, attributes.size(), attributes.lastModifiedTime());
        String cached = cache.get(key);
        if (cached != null) {
            return cached;
        }
        String digest = hash(content);
        if (cache.size() >= MAX_ENTRIES) {
            cache.clear();
        }
        cache.put(key, digest);
        return digest;
    }

    /** Reads and hashes the whole file; overridable so tests can count how often it runs. */
    protected String hash(Path file) throws IOException {
        MessageDigest sha256;
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is a required JDK algorithm", e);
        }
        byte[] buffer = new byte[64 * 1024];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                sha256.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(sha256.digest());
    }
}
