package io.meshca.samples.demo;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What a demo run proved.
 *
 * @param requests  every request orders made (succeeded + failed)
 * @param failed    requests that got no valid receipt
 * @param rotations SVID changes seen in orders and payments after their first SVID
 * @param caRotations distinct CA certificates that signed those SVIDs, minus one: what the services
 *                    saw of the server's CA rotating (0 while it keeps one CA for the whole run)
 */
public record DemoSummary(long requests, long failed, long rotations, long caRotations) {

    /** A run this long must have seen at least {@link #MIN_ROTATIONS} rotations to pass. */
    public static final Duration ROTATION_CHECK_AFTER = Duration.ofSeconds(60);

    public static final long MIN_ROTATIONS = 2;

    public DemoSummary {
        if (requests < 0 || failed < 0 || rotations < 0 || caRotations < 0 || failed > requests) {
            // the fields are not assigned yet inside a compact constructor: the parameters are
            throw new IllegalArgumentException(
                    "inconsistent counters: " + counters(requests, failed, rotations, caRotations));
        }
    }

    /** The demo's last line, exactly. */
    public String line() {
        return "demo: " + counters(requests, failed, rotations, caRotations);
    }

    private static String counters(long requests, long failed, long rotations, long caRotations) {
        return "requests=" + requests + " failed=" + failed + " rotations=" + rotations + " ca_rotations="
                + caRotations;
    }

    /**
     * Why this run does not pass; empty when it does. A run that proves nothing fails too: no request
     * at all, or (over {@link #ROTATION_CHECK_AFTER} or more) fewer than {@link #MIN_ROTATIONS} rotations.
     */
    /** Traffic after which the demo's one-minute CA must have been replaced and seen by the services. */
    static final Duration CA_ROTATION_CHECK_AFTER = Duration.ofSeconds(75);

    public List<String> problems(Duration ran) {
        List<String> problems = new ArrayList<>();
        if (failed > 0) {
            problems.add(failed + " of " + requests + " requests failed");
        }
        if (requests == 0) {
            problems.add("no request was made");
        }
        if (ran.compareTo(ROTATION_CHECK_AFTER) >= 0 && rotations < MIN_ROTATIONS) {
            problems.add("only " + rotations + " SVID rotations in " + ran.toSeconds() + "s, expected at least "
                    + MIN_ROTATIONS);
        }
        if (ran.compareTo(CA_ROTATION_CHECK_AFTER) >= 0 && caRotations < 1) {
            problems.add("no CA rotation in " + ran.toSeconds() + "s, expected at least one (the demo's CA lives"
                    + " a minute)");
        }
        return List.copyOf(problems);
    }
}
