package io.meshca.samples.identity;

import java.util.Map;
import java.util.Optional;

/**
 * Where the SPIFFE Workload API listens: a {@code -socketPath} flag wins, else the standard
 * {@code SPIFFE_ENDPOINT_SOCKET} variable. Normalized to the {@code unix:///abs/path} form java-spiffe
 * parses.
 */
public final class WorkloadApiAddress {

    public static final String ENV = "SPIFFE_ENDPOINT_SOCKET";

    static final String MISSING = "no Workload API socket: pass -socketPath or set " + ENV;
    static final String NOT_ABSOLUTE = "Workload API socket must be an absolute path or unix:///abs/path: ";

    private WorkloadApiAddress() {}

    /**
     * @param flag the value of {@code -socketPath}, if given
     * @param env  the process environment
     * @throws IllegalArgumentException when neither is set or the value is not an absolute unix path
     */
    public static String resolve(Optional<String> flag, Map<String, String> env) {
        String raw = flag.filter(s -> !s.isBlank())
                .orElseGet(() -> Optional.ofNullable(env.get(ENV))
                        .filter(s -> !s.isBlank())
                        .orElseThrow(() -> new IllegalArgumentException(MISSING)));
        return normalize(raw);
    }

    static String normalize(String raw) {
        String path = raw;
        if (raw.startsWith("unix://")) {
            path = raw.substring("unix://".length());
        } else if (raw.startsWith("unix:")) {
            path = raw.substring("unix:".length());
        }
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException(NOT_ABSOLUTE + raw);
        }
        return "unix://" + path;
    }
}
