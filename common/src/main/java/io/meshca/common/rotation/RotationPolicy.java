package io.meshca.common.rotation;

import java.time.Duration;
import java.time.Instant;
import java.util.random.RandomGenerator;

/**
 * When an SVID is renewed: at half of its remaining lifetime from issuance, moved by a jitter of up to
 * ±10% of that half, so that SVIDs issued together (a restart, a batch) are not renewed together.
 * Pure functions; the rotators hold no policy of their own.
 */
public final class RotationPolicy {

    /** Fraction of the lifetime after which an SVID is renewed. */
    public static final double RENEW_FRACTION = 0.5;
    /** Largest jitter, as a fraction of the time until renewal. */
    public static final double MAX_JITTER = 0.1;

    private RotationPolicy() {}

    /**
     * The renewal time of an SVID received at {@code issuedAt} that expires at {@code notAfter}.
     * Lifetime is counted from receipt, not from the certificate's NotBefore, because the server
     * backdates NotBefore and a short-lived SVID would otherwise be due the moment it arrives.
     *
     * @param jitter in [-{@link #MAX_JITTER}, {@link #MAX_JITTER}]
     */
    public static Instant renewAt(Instant issuedAt, Instant notAfter, double jitter) {
        if (jitter < -MAX_JITTER || jitter > MAX_JITTER) {
            throw new IllegalArgumentException("jitter out of range: " + jitter);
        }
        if (!notAfter.isAfter(issuedAt)) {
            return issuedAt;
        }
        long lifetimeMillis = Duration.between(issuedAt, notAfter).toMillis();
        long untilRenewal = Math.round(lifetimeMillis * RENEW_FRACTION * (1 + jitter));
        return issuedAt.plusMillis(untilRenewal);
    }

    /** A jitter drawn uniformly from [-{@link #MAX_JITTER}, {@link #MAX_JITTER}). */
    public static double jitter(RandomGenerator random) {
        return (random.nextDouble() * 2 - 1) * MAX_JITTER;
    }

    /** True if an SVID with this renewal time must be renewed now. */
    public static boolean isDue(Instant now, Instant renewAt) {
        return !now.isBefore(renewAt);
    }
}
