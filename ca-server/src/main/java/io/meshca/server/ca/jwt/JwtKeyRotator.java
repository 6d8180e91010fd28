package io.meshca.server.ca.jwt;

import io.meshca.common.rotation.RotationPolicy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives the JWT key slots: the next key is prepared — and so published in the bundle —
 * at half of the current key's lifetime and becomes the signing key at 5/6 of it, so agents and
 * federated peers hold the new key long before the first token signed with it. The decision is the
 * pure function {@link #due}; the periodic {@link #tick} only applies it.
 */
public final class JwtKeyRotator implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(JwtKeyRotator.class);

    /** What the slots need now. */
    enum Action {
        NONE,
        PREPARE,
        ACTIVATE
    }

    private final JwtKeySlots slots;
    private final Clock clock;
    private volatile Instant preparedAt;
    private volatile ScheduledFuture<?> ticking;

    public JwtKeyRotator(JwtKeySlots slots, Clock clock) {
        this.slots = Objects.requireNonNull(slots, "slots");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * The rotation policy. Prepare when the current key is due for renewal by {@link RotationPolicy}
     * (half of its lifetime, without jitter: there is one key per trust domain, not a crowd to spread
     * out, and the 5/6 activation below is counted on the same lifetime). Activate the
     * prepared key at 5/6 of it — but only once it has been published for at least 1/12 of a lifetime
     * (a server that was down past 5/6 must not sign with a key nobody has yet), unless the current key
     * is about to expire, when signing with a fresh key beats not signing at all.
     *
     * @param preparedAt when the next key was published, or null if none is prepared
     */
    static Action due(Instant now, Instant currentNotAfter, Duration lifetime, Instant preparedAt) {
        if (preparedAt == null) {
            Instant renewAt = RotationPolicy.renewAt(currentNotAfter.minus(lifetime), currentNotAfter, 0);
            return RotationPolicy.isDue(now, renewAt) ? Action.PREPARE : Action.NONE;
        }
        boolean activationTime = !now.isBefore(currentNotAfter.minus(lifetime.dividedBy(6)));
        boolean publishedLongEnough = !now.isBefore(preparedAt.plus(lifetime.dividedBy(12)));
        boolean currentExpiring = !now.isBefore(currentNotAfter.minus(JwtKeySlots.MIN_REMAINING));
        return activationTime && (publishedLongEnough || currentExpiring) ? Action.ACTIVATE : Action.NONE;
    }

    /** Applies the policy once; safe to call at any time. */
    public void tick() {
        Instant now = clock.instant();
        Instant prepared = slots.next().isPresent() ? (preparedAt != null ? preparedAt : now) : null;
        switch (due(now, slots.current().authority().notAfter(), slots.keyTtl(), prepared)) {
            case PREPARE -> {
                slots.prepareNext();
                preparedAt = now;
            }
            case ACTIVATE -> {
                slots.activateNext();
                preparedAt = null;
            }
            case NONE -> {
                if (slots.next().isPresent() && preparedAt == null) {
                    preparedAt = now;
                }
            }
        }
    }

    /** Ticks every {@code interval} on {@code scheduler} until closed; a failed tick is logged and retried. */
    public void start(ScheduledExecutorService scheduler, Duration interval) {
        ticking = scheduler.scheduleWithFixedDelay(
                () -> {
                    try {
                        tick();
                    } catch (RuntimeException e) {
                        log.error("JWT key rotation failed; retrying in {}", interval, e);
                    }
                },
                0,
                interval.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        ScheduledFuture<?> running = ticking;
        if (running != null) {
            running.cancel(false);
        }
    }
}
