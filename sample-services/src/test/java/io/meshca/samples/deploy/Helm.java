package io.meshca.samples.deploy;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The real {@code helm} binary, run on the repository's chart: {@code $MESHCA_HELM} if set, else the
 * first {@code helm} on the PATH ({@code deploy/helm/install-helm.sh} installs one; CI runs it).
 */
final class Helm {

    static final String ENV = "MESHCA_HELM";
    static final String NOT_FOUND = "no helm binary: set " + ENV + " or put helm on the PATH"
            + " (deploy/helm/install-helm.sh <dir> installs the pinned one)";

    /** What one helm command did. */
    record Result(int exitCode, String stdout, String stderr) {}

    private final Path binary;
    private final Path home;

    /**
     * @param home a private directory for helm's config, cache and data, so that a run neither reads
     *     nor writes the user's helm settings
     */
    Helm(Path binary, Path home) {
        this.binary = binary;
        this.home = home;
    }

    /** The helm binary to use, if there is one. */
    static Optional<Path> locate() {
        String configured = System.getenv(ENV);
        if (configured != null && !configured.isBlank()) {
            Path path = Path.of(configured);
            return Files.isExecutable(path) ? Optional.of(path) : Optional.empty();
        }
        String searchPath = System.getenv().getOrDefault("PATH", "");
        for (String dir : searchPath.split(File.pathSeparator)) {
            if (!dir.isEmpty()) {
                Path candidate = Path.of(dir, "helm");
                if (Files.isExecutable(candidate)) {
                    return Optional.of(candidate);
                }
            }
        }
        return Optional.empty();
    }

    /** The chart, found from the module's directory (where Surefire runs) or the repository's root. */
    static Path chart() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path chart = dir.resolve("deploy/helm/meshca");
            if (Files.isRegularFile(chart.resolve("Chart.yaml"))) {
                return chart;
            }
        }
        throw new IllegalStateException(
                "deploy/helm/meshca not found above " + Path.of("").toAbsolutePath());
    }

    Result run(List<String> args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(binary.toString());
        command.addAll(args);
        Path out = Files.createTempFile(home, "helm", ".out");
        Path err = Files.createTempFile(home, "helm", ".err");
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().put("HELM_CONFIG_HOME", home.resolve("config").toString());
        builder.environment().put("HELM_CACHE_HOME", home.resolve("cache").toString());
        builder.environment().put("HELM_DATA_HOME", home.resolve("data").toString());
        Process process = builder.start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("helm " + String.join(" ", args) + " did not finish within 60 s");
        }
        return new Result(
                process.exitValue(),
                Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }
}
