package io.meshca.samples;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The node agent's JVM options, read the way {@code ./meshca agent} reads them, so that the demo and
 * the benchmarks run the agent exactly as shipped: {@code MESHCA_AGENT_JAVA_OPTS} (space-separated) when
 * set, else {@code workload-api/jvm.options} under the repo root (one option per line, {@code #} starts
 * a comment), else none.
 */
public final class AgentJvmOptions {

    public static final String FILE = "workload-api/jvm.options";
    public static final String ENV = "MESHCA_AGENT_JAVA_OPTS";

    private AgentJvmOptions() {}

    public static List<String> of(Path home) {
        return of(home, System.getenv());
    }

    static List<String> of(Path home, Map<String, String> env) {
        String override = env.get(ENV);
        if (override != null) {
            return split(override);
        }
        Path file = home.resolve(FILE);
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
