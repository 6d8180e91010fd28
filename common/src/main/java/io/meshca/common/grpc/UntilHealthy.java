package io.meshca.common.grpc;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code healthcheck -wait}: repeats a health check until it passes or the wait runs out, so that a
 * script (or the quickstart) can start a server or an agent and go on once it serves, instead of
 * guessing a sleep.
 */
public final class UntilHealthy {

    /** The pause between two checks: short next to any start-up, long enough not to spin. */
    public static final Duration INTERVAL = Duration.ofMillis(500);

    /** One health check. */
    @FunctionalInterface
    public interface Check {
        /**
         * @param timeout how long this check may take (what is left of the wait, at least a moment)
         * @return empty if healthy, else why not, in one line
         */
        Optional<String> run(Duration timeout);
    }

    /** Waits; {@code Thread::sleep} in the commands, the fake clock's advance in tests. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;
    }

    /** The shortest timeout a check is given, even when the wait is nearly over. */
    static final Duration MIN_CHECK_TIMEOUT = Duration.ofSeconds(1);

    private final Clock clock;
    private final Sleeper sleeper;

    public UntilHealthy(Clock clock, Sleeper sleeper) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
    }

    /** Waits in real time. */
    public static UntilHealthy system() {
        return new UntilHealthy(Clock.systemUTC(), duration -> Thread.sleep(duration.toMillis()));
    }

    /**
     * Checks at once, then every {@link #INTERVAL} until a check passes or {@code wait} has passed.
     *
     * @param checkTimeout the longest a single check may take
     * @return empty if a check passed, else the reason the last one gave
     */
    public Optional<String> await(Check check, Duration wait, Duration checkTimeout) throws InterruptedException {
        Instant end = clock.instant().plus(wait);
        while (true) {
            Duration left = Duration.between(clock.instant(), end);
            Duration timeout = left.compareTo(checkTimeout) > 0
                    ? checkTimeout
                    : left.compareTo(MIN_CHECK_TIMEOUT) < 0 ? MIN_CHECK_TIMEOUT : left;
            Optional<String> problem = check.run(timeout);
            if (problem.isEmpty()) {
                return problem;
            }
            Duration remaining = Duration.between(clock.instant(), end);
            if (remaining.isNegative() || remaining.isZero()) {
                return problem;
            }
            sleeper.sleep(remaining.compareTo(INTERVAL) < 0 ? remaining : INTERVAL);
        }
    }
}
