package io.meshca.samples.demo;

import io.meshca.common.config.Durations;
import java.io.File;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code demo}: the whole walking skeleton in one command. */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = {
            "Start a ca-server and an agent in a temporary directory, register orders and payments, "
                    + "run mTLS traffic between them while their SVIDs rotate, then clean everything up.",
            "Traffic starts once orders is connected to payments (the start-up time is printed); each failed "
                    + "request is printed as it fails, with its side, status, exception and description.",
            "The last line is `demo: requests=<n> failed=<n> rotations=<n> ca_rotations=<n>`; ca_rotations counts "
                    + "the CA certificates that signed the services' SVIDs, minus one. The exit code is non-zero if a "
                    + "request failed, if no request was made, or if a run of 60s or more saw fewer than 2 rotations."
        })
public final class DemoCommand implements Callable<Integer> {

    static final String HOME_ENV = "MESHCA_HOME";

    @Option(
            names = "-duration",
            defaultValue = "90s",
            converter = Durations.NonNegative.class,
            description = "how long to run traffic (default: ${DEFAULT-VALUE})")
    Duration duration;

    @Option(
            names = "-x509SVIDTTL",
            defaultValue = "20s",
            converter = Durations.NonNegative.class,
            description = "X509-SVID TTL of orders and payments; renewed at about half (default: ${DEFAULT-VALUE})")
    Duration ttl;

    @Option(
            names = "-rate",
            defaultValue = "20",
            description = "orders' requests per second (default: ${DEFAULT-VALUE})")
    double rate;

    @Option(
            names = "-home",
            description = "the meshca repository root (default: $" + HOME_ENV + ", else the working directory)")
    Path home;

    @Override
    public Integer call() {
        DemoOptions options = options(System.getenv());
        DemoRunner runner = new DemoRunner(options, currentJava(), System.out, Clock.systemUTC());
        return runWithShutdownHook(runner, System.out);
    }

    DemoOptions options(Map<String, String> env) {
        Path root = Optional.ofNullable(home)
                .or(() -> Optional.ofNullable(env.get(HOME_ENV))
                        .filter(s -> !s.isBlank())
                        .map(Path::of))
                .orElse(Path.of(""));
        return new DemoOptions(
                duration,
                ttl,
                rate,
                root.toAbsolutePath().normalize(),
                workloadClasspath(),
                DemoOptions.DEFAULT_REPORT_EVERY);
    }

    /**
     * Ctrl-C or SIGTERM ends the run early: the hook asks the runner to stop, waits while it cleans up
     * and prints its last line, then exits with the runner's verdict instead of the JVM's 130/143.
     */
    static int runWithShutdownHook(DemoRunner runner, PrintStream out) {
        CountDownLatch finished = new CountDownLatch(1);
        int[] exitCode = {1};
        Thread hook = new Thread(
                () -> {
                    runner.requestStop();
                    try {
                        if (finished.await(60, TimeUnit.SECONDS)) {
                            out.flush();
                            Runtime.getRuntime().halt(exitCode[0]);
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                },
                "demo-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            exitCode[0] = runner.run();
            return exitCode[0];
        } finally {
            finished.countDown();
        }
    }

    /**
     * The classpath orders and payments start with: this program's own. From the jar, that is the jar
     * alone, and its manifest's Class-Path brings {@code lib/} along; in tests, the test classpath.
     */
    static String workloadClasspath() {
        String classpath = System.getProperty("java.class.path");
        StringBuilder absolute = new StringBuilder();
        for (String entry : classpath.split(File.pathSeparator)) {
            if (entry.isBlank()) {
                continue;
            }
            if (absolute.length() > 0) {
                absolute.append(File.pathSeparator);
            }
            absolute.append(Path.of(entry).toAbsolutePath());
        }
        return absolute.toString();
    }

    /** The {@code java} running this program, so that every child runs on the same JVM. */
    static String currentJava() {
        return ProcessHandle.current()
                .info()
                .command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }
}
