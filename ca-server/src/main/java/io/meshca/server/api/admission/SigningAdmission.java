package io.meshca.server.api.admission;

import io.meshca.common.error.ResourceExhaustedException;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bounded signing queue of one server. Every request that signs — a batch of workload CSRs, a batch
 * of JWT-SVIDs, a node attestation, an agent SVID renewal — first takes one slot per CSR (or token) for
 * as long as its work is queued or running, and gives them back when it ends, however it ends. A
 * request that does not fit is refused whole and at once with {@link ResourceExhaustedException},
 * whose delay is the time the server needs to work off what it holds now at its measured rate
 * ({@link DrainRate}), between {@link #MIN_RETRY} and {@link #MAX_RETRY}. A refused request costs a
 * counter check: nothing of it is kept.
 *
 * <p>So the memory of queued work, and the wait of an admitted request, are bounded by the queue size
 * whatever the number of agents asking at once.
 *
 * <p>Agent SVID renewals get a reserve on top of the queue that nothing else may take: an agent whose
 * own SVID expires loses its mTLS identity and with it every other call, and recovers only by node
 * attestation (a {@code join_token} agent not at all). A storm of workload batches would otherwise
 * fill the queue for as long as it lasts, and the renewals of exactly those agents that storm would
 * be the ones refused. The reserve is small ({@link #renewalReserve}): one renewal per agent every
 * half SVID lifetime needs little, and during a storm renewals wait their turn in it.
 *
 * <p>Attestation shares the general queue: it is open to callers without an SVID, and a reserve they
 * could fill would protect nothing.
 *
 * <p>A batch larger than the whole queue could never fit; it is admitted when the queue is empty, as
 * its only occupant, so the bound is the larger of the queue size and the largest batch.
 */
public final class SigningAdmission {

    /** The shortest wait a refusal asks for: shorter ones only turn into more refusals. */
    public static final Duration MIN_RETRY = Duration.ofMillis(100);

    /** The longest wait a refusal asks for, whatever the estimate (a stalled server reads as rate 0). */
    public static final Duration MAX_RETRY = Duration.ofSeconds(10);

    /** Until a rate is measured: well below what one core signs, so the first delays err long. */
    static final double INITIAL_RATE_PER_SECOND = 1000;

    /** How often a refusal is logged at most; the others are counted into the next line. */
    static final Duration LOG_PERIOD = Duration.ofSeconds(10);

    private static final Logger log = LoggerFactory.getLogger(SigningAdmission.class);

    private final int capacity;
    private final int renewalReserve;
    private final Clock clock;
    private final DrainRate rate;

    // guarded by this
    private int general;
    private int renewals;
    private long refusedSinceLog;
    private long lastLogMillis = Long.MIN_VALUE;

    /** @param capacity CSRs the general queue holds, queued and in flight; at least 1 */
    public SigningAdmission(int capacity, Clock clock) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, got " + capacity);
        }
        this.capacity = capacity;
        this.renewalReserve = renewalReserve(capacity);
        this.clock = clock;
        this.rate = new DrainRate(clock, INITIAL_RATE_PER_SECOND);
    }

    /** The slots only agent SVID renewals may use, beyond {@code capacity}: a tenth of it, at least 1. */
    public static int renewalReserve(int capacity) {
        return Math.max(1, capacity / 10);
    }

    /**
     * Takes {@code csrs} slots of the general queue.
     *
     * @throws ResourceExhaustedException if they do not all fit; nothing is taken then
     */
    public Permit admit(int csrs) {
        if (csrs < 1) {
            throw new IllegalArgumentException("csrs must be at least 1");
        }
        synchronized (this) {
            int held = general + renewals;
            boolean fits = general + csrs <= capacity || held == 0;
            if (fits) {
                if (held == 0) {
                    rate.busy();
                }
                general += csrs;
                return new Permit(csrs, false);
            }
            throw refuse(general, capacity, csrs);
        }
    }

    /**
     * Takes one slot for an agent SVID renewal: from the general queue if it has room, else from the
     * renewal reserve.
     *
     * @throws ResourceExhaustedException if both are full
     */
    public Permit admitRenewal() {
        synchronized (this) {
            int held = general + renewals;
            if (held == 0) {
                rate.busy();
            }
            if (general < capacity) {
                general++;
                return new Permit(1, false);
            }
            if (renewals < renewalReserve) {
                renewals++;
                return new Permit(1, true);
            }
            throw refuse(held, capacity + renewalReserve, 1);
        }
    }

    /** CSRs queued or in flight now, reserve included. */
    public synchronized int inUse() {
        return general + renewals;
    }

    public int capacity() {
        return capacity;
    }

    /** The wait a refusal asks for now: what is held, at the measured rate, within the floor and cap. */
    synchronized Duration retryDelay() {
        double seconds = (general + renewals) / rate.perSecond();
        long millis = (long) Math.ceil(Math.min(seconds, MAX_RETRY.toMillis() / 1000.0) * 1000);
        return Duration.ofMillis(Math.max(MIN_RETRY.toMillis(), Math.min(MAX_RETRY.toMillis(), millis)));
    }

    // called holding the lock
    private ResourceExhaustedException refuse(int queued, int of, int asked) {
        Duration delay = retryDelay();
        refusedSinceLog++;
        long now = clock.millis();
        if (lastLogMillis == Long.MIN_VALUE || now - lastLogMillis >= LOG_PERIOD.toMillis()) {
            log.warn(
                    "signing queue full: refused {} requests since the last report; queued={} capacity={}"
                            + " rate_per_s={} retry_ms={}",
                    refusedSinceLog,
                    queued,
                    of,
                    Math.round(rate.perSecond()),
                    delay.toMillis());
            refusedSinceLog = 0;
            lastLogMillis = now;
        }
        return new ResourceExhaustedException(
                "signing queue full: " + queued + " of " + of + " CSRs queued, " + asked + " more asked; retry in ~"
                        + delay.toMillis() + " ms",
                delay);
    }

    private synchronized void release(int csrs, boolean fromReserve) {
        if (fromReserve) {
            renewals -= csrs;
        } else {
            general -= csrs;
        }
        rate.completed(csrs, general + renewals == 0);
    }

    /** Slots held by one request; {@link #close} gives them back, once, however often it is called. */
    public final class Permit implements AutoCloseable {

        private final int csrs;
        private final boolean fromReserve;
        private final AtomicBoolean released = new AtomicBoolean();

        private Permit(int csrs, boolean fromReserve) {
            this.csrs = csrs;
            this.fromReserve = fromReserve;
        }

        public int csrs() {
            return csrs;
        }

        @Override
        public void close() {
            if (released.compareAndSet(false, true)) {
                release(csrs, fromReserve);
            }
        }
    }
}
