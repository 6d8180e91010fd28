package io.meshca.samples.demo;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How to run the demo.
 *
 * @param duration      how long traffic runs once both services are up
 * @param x509SvidTtl   TTL of the services' X509-SVIDs; the agent renews at about half of it
 * @param rate          orders' requests per second
 * @param home          the repository root, where {@code ca-server/target} and {@code workload-api/target} are
 * @param workloadClasspath classpath to start orders and payments with (their main classes must be on it)
 * @param reportEvery   how often to print a progress line
 */
public record DemoOptions(
        Duration duration,
        Duration x509SvidTtl,
        double rate,
        Path home,
        String workloadClasspath,
        Duration reportEvery) {

    public static final Duration DEFAULT_DURATION = Duration.ofSeconds(90);
    /** Renewal at half-life then comes every ~10 s: several rotations a minute for each service. */
    public static final Duration DEFAULT_TTL = Duration.ofSeconds(20);

    public static final double DEFAULT_RATE = 20;
    public static final Duration DEFAULT_REPORT_EVERY = Duration.ofSeconds(5);

    public DemoOptions {
        Objects.requireNonNull(duration, "duration");
        Objects.requireNonNull(x509SvidTtl, "x509SvidTtl");
        Objects.requireNonNull(home, "home");
        Objects.requireNonNull(workloadClasspath, "workloadClasspath");
        Objects.requireNonNull(reportEvery, "reportEvery");
        if (duration.compareTo(Duration.ofSeconds(1)) < 0 || duration.compareTo(Duration.ofHours(24)) > 0) {
            throw new IllegalArgumentException(
                    "-duration must be between 1s and 24h, got " + duration.toSeconds() + "s");
        }
        if (x509SvidTtl.compareTo(Duration.ofSeconds(10)) < 0 || x509SvidTtl.toMillis() % 1000 != 0) {
            throw new IllegalArgumentException(
                    "-x509SVIDTTL must be whole seconds, at least 10s, got " + x509SvidTtl.toMillis() + "ms");
        }
        if (!(rate > 0 && rate <= 1000)) {
            throw new IllegalArgumentException("-rate must be in (0, 1000] requests per second, got " + rate);
        }
        if (reportEvery.isNegative() || reportEvery.isZero()) {
            throw new IllegalArgumentException("report interval must be positive");
        }
    }
}
