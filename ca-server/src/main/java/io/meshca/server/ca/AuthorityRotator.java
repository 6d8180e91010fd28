package io.meshca.server.ca;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives the X.509 CA slots and the JWT key slots on the {@link SlotSchedule}, publishes new upstream
 * roots, drops expired OLD authorities, and reports whether the active CA is valid (health). The
 * decision is the pure {@link SlotSchedule#due}; {@link #tick} only applies it, so a test drives it with
 * a fake clock.
 */
public final class AuthorityRotator implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AuthorityRotator.class);

    private final CaManager ca;
    private final List<RotatingSlots> slots;
    private final Clock clock;
    private final Consumer<Boolean> caValid;
    private volatile ScheduledFuture<?> ticking;

    /**
     * @param caValid told after every tick whether the active X.509 CA is valid (the server's health)
     */
    public AuthorityRotator(CaManager ca, List<RotatingSlots> slots, Clock clock, Consumer<Boolean> caValid) {
        this.ca = ca;
        this.slots = List.copyOf(slots);
        this.clock = clock;
        this.caValid = caValid;
    }

    /** How often to check: often enough for a 1-minute CA (its 1/12 is 5 s), at most every 10 s. */
    public static Duration checkInterval(Duration caTtl) {
        Duration interval = caTtl.dividedBy(120);
        if (interval.compareTo(Duration.ofMillis(250)) < 0) {
            return Duration.ofMillis(250);
        }
        return interval.compareTo(Duration.ofSeconds(10)) > 0 ? Duration.ofSeconds(10) : interval;
    }

    /** Applies the schedule once to every slot set; safe to call at any time. */
    public void tick() {
        try {
            ca.upstreamRoots().sync();
            for (RotatingSlots s : slots) {
                apply(s, clock.instant());
            }
            ca.refreshBundle();
        } finally {
            caValid.accept(
                    ca.activeAuthority().certificate().getNotAfter().toInstant().isAfter(clock.instant()));
        }
    }

    /** Applies the schedule to one slot set: prepare, activate or nothing; then drops expired OLD ones. */
    public static SlotSchedule.Action apply(RotatingSlots s, Instant now) {
        SlotSchedule.Action action = SlotSchedule.due(
                now, s.activeNotAfter(), s.activeLifetime(), s.preparedAt().orElse(null));
        switch (action) {
            case PREPARE -> s.prepare();
            case ACTIVATE -> s.activatePrepared();
            case NONE -> {}
        }
        s.pruneExpired();
        return action;
    }

    /** Ticks every {@code interval} until closed; a failed tick is logged and retried. */
    public void start(ScheduledExecutorService scheduler, Duration interval) {
        ticking = scheduler.scheduleWithFixedDelay(
                () -> {
                    try {
                        tick();
                    } catch (RuntimeException e) {
                        log.error("authority rotation failed; retrying in {}", interval, e);
                    }
                },
                interval.toMillis(),
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
