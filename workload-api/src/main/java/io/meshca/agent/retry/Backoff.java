package io.meshca.agent.retry;

import java.time.Duration;
import java.util.Objects;

/**
 * Exponential backoff with jitter: the n-th consecutive failure waits {@code initial * 2^n}, capped at
 * {@code max}, of which a random half is jitter, so that many agents that lost the server at the same
 * moment do not all come back at the same moment.
 *
 * <p>The agent retries a lost server with {@link #DEFAULT}, whose cap of 4 s bounds how long a
 * recovered server waits for the agents: each retries within 2–4 s of its previous attempt, so fresh
 * SVIDs flow within about 4 s of the server being back, spread over 2 s rather than all at once. A
 * renewal whose SVID is about to expire retries sooner still ({@link #delayBeforeExpiry}).
 *
 * <p>A busy server is another matter: it answers, and says when to come back ({@link #busyDelay}).
 */
public record Backoff(Duration initial, Duration max) {

    public static final Backoff DEFAULT = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(4));

    /** A renewal retry waits at most this fraction (1/n) of the SVID's remaining lifetime. */
    public static final int REMAINING_LIFETIME_DIVISOR = 10;

    /** The shortest wait before a renewal retry, however close the SVID is to its expiry. */
    public static final Duration RENEWAL_RETRY_FLOOR = Duration.ofMillis(100);

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

    /**
     * The wait before retrying the renewal of an SVID that expires in {@code untilExpiry}: the backoff
     * {@link #delay}, but never more than 1/{@value #REMAINING_LIFETIME_DIVISOR} of the remaining lifetime
     * (nor less than {@link #RENEWAL_RETRY_FLOOR} for that reason). The closer the expiry, the more
     * attempts fit before it: an SVID is never left to expire because its retry was scheduled after
     * the moment the server came back.
     *
     * @param untilExpiry the SVID's remaining lifetime; zero or negative if it expired (plain backoff:
     *     there is nothing left to save by hurrying)
     */
    public Duration delayBeforeExpiry(int attempt, double random, Duration untilExpiry) {
        return boundedByExpiry(delay(attempt, random), untilExpiry);
    }

    /**
     * The wait before asking a server again that refused as busy and asked for {@code retryAfter}: that
     * long plus up to as long again at random. All the agents a storm refused were told about the same
     * delay; asking again all at its end would be the same storm, spread over one delay it is work the
     * server can take in turn. Not a step of the exponential backoff: the server did not fail, so the
     * next real failure starts from the first step. Bounded by the SVID's expiry like {@link
     * #delayBeforeExpiry}: an SVID is not left to expire for politeness.
     *
     * @param random uniform in [0, 1)
     * @param untilExpiry the remaining lifetime of the SVID to renew; zero or negative if none or expired
     */
    public static Duration busyDelay(Duration retryAfter, double random, Duration untilExpiry) {
        if (random < 0 || random >= 1) {
            throw new IllegalArgumentException("random must be in [0, 1)");
        }
        long millis = retryAfter.toMillis();
        return boundedByExpiry(Duration.ofMillis(millis + (long) (random * millis)), untilExpiry);
    }

    private static Duration boundedByExpiry(Duration wait, Duration untilExpiry) {
        if (untilExpiry.isNegative() || untilExpiry.isZero()) {
            return wait;
        }
        Duration share = untilExpiry.dividedBy(REMAINING_LIFETIME_DIVISOR);
        Duration bound = share.compareTo(RENEWAL_RETRY_FLOOR) < 0 ? RENEWAL_RETRY_FLOOR : share;
        return wait.compareTo(bound) <= 0 ? wait : bound;
    }
}
