package io.meshca.agent.retry;

import java.time.Duration;
import java.util.Objects;

/**
 * Exponential backoff with jitter: the n-th consecutive failure waits {@code initial * 2^n}, capped at
 * {@code max}, of which a random half is jitter, so that many agents that lost the server at the same
 * moment do not all come back at the same moment.
 */
public record Backoff(Duration initial, Duration max) {

    public static final Backoff DEFAULT = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30));

    public Backoff {
        Objects.requireNonNull(initial, "initial");
        Objects.requireNonNull(max, "max");
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("backoff needs 0 < initial <= max");
        }
    }

    /**
     * The wait before retry number {@code attempt} (0 for the first retry).
     *
     * @param random uniform in [0, 1): 0 waits half the exponential delay, near 1 almost all of it
     */
    public Duration delay(int attempt, double random) {
        if (attempt < 0) {
            throw new IllegalArgumentException("attempt < 0");
        }
        if (random < 0 || random >= 1) {
            throw new IllegalArgumentException("random must be in [0, 1)");
        }
        // shifting by at most 30 keeps initial * 2^n far from overflow for any sane initial
        long exponential = Math.min(max.toMillis(), initial.toMillis() << Math.min(attempt, 30));
        long half = exponential / 2;
        return Duration.ofMillis(half + (long) (random * (exponential - half)));
    }
}
