package io.meshca.server.ca.upstream;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Where the {@code disk} upstream authority's files are, and where its config block is (every message
 * about a file names the key that chose it, and the file).
 *
 * @param configPath the block, e.g. {@code plugins.upstreamAuthority.disk}
 * @param certFile the upstream signing CA's certificate, optionally followed by its chain
 * @param keyFile the upstream signing CA's private key
 * @param bundleFile the upstream roots, or null when the chain in {@code certFile} ends at its root
 */
record UpstreamFiles(String configPath, Path certFile, Path keyFile, Path bundleFile) {

    static final String CERT_FILE = "certFile";
    static final String KEY_FILE = "keyFile";
    static final String BUNDLE_FILE = "bundleFile";

    UpstreamFiles {
        Objects.requireNonNull(configPath, "configPath");
        Objects.requireNonNull(certFile, "certFile");
        Objects.requireNonNull(keyFile, "keyFile");
    }

    Optional<Path> bundle() {
        return Optional.ofNullable(bundleFile);
    }

    /** Every configured file, in a fixed order. */
    List<Path> all() {
        List<Path> paths = new ArrayList<>(List.of(certFile, keyFile));
        bundle().ifPresent(paths::add);
        return paths;
    }

    /** {@code plugins.upstreamAuthority.disk.certFile (/etc/pki/ca.pem)}: the key and its file. */
    String describe(String key) {
        Path file = switch (key) {
            case CERT_FILE -> certFile;
            case KEY_FILE -> keyFile;
            case BUNDLE_FILE -> bundleFile;
            default -> throw new IllegalArgumentException("unknown key " + key);
        };
        return configPath + "." + key + " (" + file + ")";
    }
}
