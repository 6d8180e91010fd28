package io.meshca.agent.testing;

import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;

/**
 * Waiting on real time, for end-to-end tests whose agent and server run on real sockets and the
 * system clock. Unit tests advance a FakeClock instead.
 */
public final class Poll {

    private static final Duration INTERVAL = Duration.ofMillis(50);

    private Poll() {}

    /**
     * Asks {@code probe} until it answers non-null, and returns that answer.
     *
     * @throws AssertionError naming {@code what} if {@code timeout} passes first
     */
    public static <T> T until(String what, Duration timeout, Supplier<T> probe) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            T value = probe.get();
            if (value != null) {
                return value;
            }
            Thread.sleep(INTERVAL.toMillis());
        }
        throw new AssertionError("timed out after " + timeout.toSeconds() + "s waiting for " + what);
    }
}
