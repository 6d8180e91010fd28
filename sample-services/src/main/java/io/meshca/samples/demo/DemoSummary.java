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
 */
public record DemoSummary(long requests, long failed, long rotations) {

    /** A run this long must have seen at least {@link #MIN_ROTATIONS} rotations to pass. */
    public static final Duration ROTATION_CHECK_AFTER = Duration.ofSeconds(60);

    public static final long MIN_ROTATIONS = 2;

    public DemoSummary {
        if (requests < 0 || failed < 0 || rotations < 0 || failed > requests) {
            throw new IllegalArgumentException(
                    "inconsistent counters: requests=" + requests + " failed=" + failed + " rotations=" + rotations);
        }
    }

    /** The demo's last line, exactly. */
    public String line() {
        return "demo: requests=" + requests + " failed=" + failed + " rotations=" + rotations;
    }

    /**
     * Why this run does not pass; empty when it does. A run that proves nothing fails too: no request
     * at all, or (over {@link #ROTATION_CHECK_AFTER} or more) fewer than {@link #MIN_ROTATIONS} rotations.
     */
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
        return List.copyOf(problems);
    }
}
