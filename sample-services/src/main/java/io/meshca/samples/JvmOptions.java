package io.meshca.samples;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The JVM options of the agent and of the server, read the way {@code ./meshca agent} and {@code
 * ./meshca server run} read them, so that the demo and the benchmarks run both exactly as shipped: the
 * process's environment variable (space-separated) when set, else its {@code jvm.options} under the
 * repo root (one option per line, {@code #} starts a comment), else none.
 */
public final class JvmOptions {

    /** A process the launcher starts with options of its own. */
    public enum Process {
        AGENT("workload-api/jvm.options", "MESHCA_AGENT_JAVA_OPTS"),
        SERVER("ca-server/jvm.options", "MESHCA_SERVER_JAVA_OPTS");

        public final String file;
        public final String env;

        Process(String file, String env) {
            this.file = file;
            this.env = env;
        }
    }

    private JvmOptions() {}

    public static List<String> of(Process process, Path home) {
        return of(process, home, System.getenv());
    }

    static List<String> of(Process process, Path home, Map<String, String> env) {
        String override = env.get(process.env);
        if (override != null) {
            return split(override);
        }
        Path file = home.resolve(process.file);
        if (!Files.isRegularFile(file)) {
            return List.of();
        }
        try {
            return parse(Files.readAllLines(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    static List<String> parse(List<String> lines) {
        List<String> options = new ArrayList<>();
        for (String line : lines) {
            int comment = line.indexOf('#');
            String option = (comment < 0 ? line : line.substring(0, comment)).strip();
            if (!option.isEmpty()) {
                options.add(option);
            }
        }
        return options;
    }

    /** For messages: the options as one would type them. */
    public static String describe(List<String> options) {
        return options.isEmpty() ? "(JVM defaults)" : String.join(" ", options);
    }

    /** {@code -Xmx48m -XX:+UseSerialGC} → its options. */
    public static List<String> split(String spaceSeparated) {
        return spaceSeparated.isBlank()
                ? List.of()
                : List.of(spaceSeparated.strip().split("\\s+"));
    }
}
