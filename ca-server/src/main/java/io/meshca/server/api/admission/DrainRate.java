package io.meshca.server.api.admission;

import java.time.Clock;
import java.time.Duration;

/**
 * How fast the server works off its signing queue: CSRs completed per second of time during which
 * something was queued. Counting only busy time measures what the server can do, not what agents
 * happened to ask for: an idle minute would otherwise read as a rate near zero and turn the first
 * retry delay of a storm into the cap.
 *
 * <p>Samples are taken over {@link #WINDOW} of busy time (short busy spells add up) and smoothed
 * exponentially, so that one slow window (a GC pause, a neighbour on the CPU) moves the estimate
 * without replacing it. Not thread-safe: {@link SigningAdmission} calls it under its lock.
 */
final class DrainRate {

    /** Busy time per sample: long enough to span many batches, short enough to follow a change in load. */
    static final Duration WINDOW = Duration.ofMillis(500);

    /** The weight of a new sample in the estimate. */
    static final double SAMPLE_WEIGHT = 0.3;

    private final Clock clock;
    private double perSecond;
    private long busySinceMillis = -1;
    private long busyMillis;
    private long completed;

    /** @param initialPerSecond the estimate until the first window is measured */
    DrainRate(Clock clock, double initialPerSecond) {
        if (!(initialPerSecond > 0)) {
            throw new IllegalArgumentException("initialPerSecond must be positive");
        }
        this.clock = clock;
        this.perSecond = initialPerSecond;
    }

    /** The queue went from empty to not empty. */
    void busy() {
        if (busySinceMillis < 0) {
            busySinceMillis = clock.millis();
        }
    }

    /**
     * Work of {@code csrs} CSRs ended (signed, refused or failed: it left the queue either way).
     *
     * @param queueEmpty whether nothing is left queued: the busy spell ends here
     */
    void completed(int csrs, boolean queueEmpty) {
        completed += csrs;
        long now = clock.millis();
        if (busySinceMillis >= 0) {
            busyMillis += Math.max(0, now - busySinceMillis);
            busySinceMillis = queueEmpty ? -1 : now;
        }
        if (busyMillis >= WINDOW.toMillis()) {
            double sample = completed * 1000.0 / busyMillis;
            perSecond = SAMPLE_WEIGHT * sample + (1 - SAMPLE_WEIGHT) * perSecond;
            busyMillis = 0;
            completed = 0;
        }
    }

    /** CSRs per second, as last estimated; always positive. */
    double perSecond() {
        return Math.max(perSecond, Double.MIN_NORMAL);
    }
}
