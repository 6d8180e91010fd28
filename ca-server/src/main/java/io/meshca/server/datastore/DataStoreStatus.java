package io.meshca.server.datastore;

import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the database answers, as the datastore's own calls find out: a call that loses its connection
 * marks the datastore unavailable, and from then on every call fails at once ({@link #checkAvailable})
 * instead of each waiting for the pool's connection timeout. While it is unavailable a probe ({@code
 * SELECT 1}) runs in the background, the first at once (a single terminated connection is replaced in
 * milliseconds) and then every probe interval; the first probe that succeeds makes it available again.
 *
 * <p>Listeners are told each change, in order, under this status's lock: they must be quick and must
 * not call back into the datastore.
 */
public final class DataStoreStatus implements AutoCloseable {

    /** Told when the datastore becomes unavailable ({@code false}) and available again ({@code true}). */
    @FunctionalInterface
    public interface Listener {
        void availabilityChanged(boolean available);
    }

    /** One round trip to the database; throws if it does not answer. */
    @FunctionalInterface
    interface Probe {
        void run() throws SQLException;
    }

    private static final Logger log = LoggerFactory.getLogger(DataStoreStatus.class);

    /** Since when, to the second: operators compare it with their database's log. */
    private static final DateTimeFormatter SINCE = DateTimeFormatter.ISO_INSTANT;

    /** The current outage: since when and why (the latest reason; the start stays). */
    private record Outage(Instant since, String reason) {}

    private final String target;
    private final Probe probe;
    private final Clock clock;
    private final ScheduledExecutorService scheduler;
    private final Duration probeInterval;
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private final Object lock = new Object();
    /** Null while available. Guarded by {@link #lock}, as are the two fields below. */
    private Outage outage;

    private ScheduledFuture<?> probing;
    private boolean closed;

    /**
     * @param target where the database is, for messages ("db.example.org:5432")
     * @param scheduler runs the probe while the datastore is unavailable
     */
    DataStoreStatus(
            String target, Probe probe, Clock clock, ScheduledExecutorService scheduler, Duration probeInterval) {
        this.target = Objects.requireNonNull(target, "target");
        this.probe = Objects.requireNonNull(probe, "probe");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        this.probeInterval = Objects.requireNonNull(probeInterval, "probeInterval");
    }

    /** False from a lost connection until a probe reaches the database again. */
    public boolean isAvailable() {
        synchronized (lock) {
            return outage == null;
        }
    }

    public void addListener(Listener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /**
     * Fails fast while the datastore is known to be unavailable.
     *
     * @throws DataStoreUnavailableException saying why and since when
     */
    void checkAvailable() {
        Outage current;
        synchronized (lock) {
            current = outage;
        }
        if (current != null) {
            throw unavailable(current, null);
        }
    }

    /**
     * What a failed database call throws: {@link DataStoreUnavailableException} for a lost connection
     * (which also marks the datastore unavailable), {@link DataStoreException} for anything else.
     *
     * @param what the failed call, for the internal error's message ("database write failed")
     */
    RuntimeException failure(String what, SQLException e) {
        if (!ConnectionFailures.isConnectionLoss(e)) {
            return new DataStoreException(what + ": " + e.getMessage(), e);
        }
        return unavailable(lost(ConnectionFailures.reason(e), e), e);
    }

    private DataStoreUnavailableException unavailable(Outage o, Throwable cause) {
        String since = SINCE.format(o.since().truncatedTo(ChronoUnit.SECONDS));
        return new DataStoreUnavailableException(o.reason() + " (" + target + ") since " + since, cause);
    }

    private Outage lost(String reason, SQLException e) {
        synchronized (lock) {
            if (outage != null) {
                outage = new Outage(outage.since(), reason);
                return outage;
            }
            outage = new Outage(clock.instant(), reason);
            log.warn("datastore unavailable target={} reason={} error={}", target, reason, e.toString());
            startProbing();
            tell(false);
            return outage;
        }
    }

    private void startProbing() {
        if (closed) {
            return;
        }
        try {
            probing = scheduler.scheduleWithFixedDelay(
                    this::probeOnce, 0, probeInterval.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // closing: nobody is left to be told that it is back
        }
    }

    private void probeOnce() {
        try {
            probe.run();
        } catch (SQLException e) {
            if (ConnectionFailures.isConnectionLoss(e)) {
                synchronized (lock) {
                    if (outage != null) {
                        outage = new Outage(outage.since(), ConnectionFailures.reason(e));
                    }
                }
            }
            log.debug("datastore probe failed target={}", target, e);
            return;
        } catch (RuntimeException e) {
            log.debug("datastore probe failed target={}", target, e);
            return;
        }
        synchronized (lock) {
            if (outage == null) {
                return;
            }
            Duration down = Duration.between(outage.since(), clock.instant());
            outage = null;
            if (probing != null) {
                probing.cancel(false);
                probing = null;
            }
            log.info("datastore available again target={} unavailable_for_ms={}", target, down.toMillis());
            tell(true);
        }
    }

    private void tell(boolean available) {
        for (Listener l : listeners) {
            try {
                l.availabilityChanged(available);
            } catch (RuntimeException e) {
                log.warn("datastore status listener failed", e);
            }
        }
    }

    /** Stops probing; the scheduler is the caller's. */
    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
            if (probing != null) {
                probing.cancel(false);
                probing = null;
            }
        }
    }
}
