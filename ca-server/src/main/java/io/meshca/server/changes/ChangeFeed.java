package io.meshca.server.changes;

import io.meshca.common.config.Durations;
import io.meshca.server.model.Change;
import io.meshca.server.registration.ChangeLog;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tails the change log by revision and applies each batch, in order, to this server's memory (the
 * {@link Stage}s: entries, agents, bundle, federation), then wakes the listeners (the agents' watches).
 * One per server, whatever the number of agents or entries: a wake-up costs one indexed read of the
 * changes after the last revision applied.
 *
 * <p><b>No change is skipped.</b> Writers take revisions from one counter row inside their transaction,
 * so they commit in revision order and the log has no gaps (see the datastore). The feed does not rely
 * on it: it applies only the unbroken run after its revision and waits at a gap, since a gap would be a
 * transaction that took its revision and has not committed yet. A gap that outlives {@link #GAP_WAIT}
 * cannot be such a transaction (rows deleted by hand, or a log pruned under a stopped server): the feed
 * then reloads everything from the tables, says so, and goes on after the gap; a watch whose revision
 * lies before it finds the gap too and sends its agent a fresh snapshot.
 *
 * <p>While the database is away, reads fail: the feed keeps what it has (the server goes on serving
 * from memory), retries with back-off, and catches up by revision when the database returns.
 */
public final class ChangeFeed implements AutoCloseable {

    /** What applies a batch of changes to one part of the server's memory. */
    public interface Stage {
        /** Applies changes in revision order; may read the database; must be idempotent (a failed batch is retried). */
        void apply(List<Change> batch);

        /** Re-reads everything from the database (after a gap in the log). */
        void reload();

        static Stage of(Consumer<List<Change>> apply, Runnable reload) {
            return new Stage() {
                @Override
                public void apply(List<Change> batch) {
                    apply.accept(batch);
                }

                @Override
                public void reload() {
                    reload.run();
                }
            };
        }

        /** A stage for one kind of change only: {@code onChange} runs once per batch that has any. */
        static Stage onKind(Change.Kind kind, Consumer<List<Change>> onChange, Runnable reload) {
            return of(
                    batch -> {
                        List<Change> ofKind =
                                batch.stream().filter(c -> c.kind() == kind).toList();
                        if (!ofKind.isEmpty()) {
                            onChange.accept(ofKind);
                        }
                    },
                    reload);
        }
    }

    static final int BATCH = 1000;
    static final int RECENT_CHANGES = 65_536;
    static final Duration GAP_WAIT = Duration.ofSeconds(5);
    private static final Duration GAP_RECHECK = Duration.ofMillis(50);
    private static final Duration RETRY_FIRST = Duration.ofMillis(250);
    private static final Duration RETRY_MAX = Duration.ofSeconds(5);

    private static final Logger log = LoggerFactory.getLogger(ChangeFeed.class);

    private final ChangeLog database;
    private final List<Stage> stages;
    private final ScheduledExecutorService thread;
    private final LongSupplier nanoTime;
    private final RecentChanges recent;
    private final Set<Runnable> listeners = new CopyOnWriteArraySet<>();
    private final AtomicBoolean wakePending = new AtomicBoolean();
    private volatile long revision;
    private volatile boolean closed;
    private ScheduledFuture<?> poll;
    /** When the feed first met the gap it is waiting at (nanoTime), or -1. */
    private long gapSince = -1;

    private long gapAfter;
    private int failures;

    /**
     * @param thread runs every catch-up but {@link #catchUpNow()}'s; single-threaded, so that batches apply in order
     * @param nanoTime the monotonic clock gaps are timed with ({@code System::nanoTime})
     */
    public ChangeFeed(ChangeLog database, List<Stage> stages, ScheduledExecutorService thread, LongSupplier nanoTime) {
        this.database = database;
        this.stages = List.copyOf(stages);
        this.thread = thread;
        this.nanoTime = nanoTime;
        this.recent = new RecentChanges(database, () -> revision, RECENT_CHANGES);
    }

    /**
     * Starts tailing after {@code fromRevision} (the revision read before the caches were loaded) and
     * polls every {@code safetyPoll} in case a notification was lost.
     */
    public void start(long fromRevision, Duration safetyPoll) {
        revision = fromRevision;
        poll = thread.scheduleWithFixedDelay(
                this::wake, safetyPoll.toMillis(), safetyPoll.toMillis(), TimeUnit.MILLISECONDS);
        wake();
    }

    /** The last revision applied to memory. */
    public long revision() {
        return revision;
    }

    /** The change log as watches read it: from memory, never past {@link #revision()}. */
    public ChangeLog recent() {
        return recent;
    }

    /** Runs {@code listener} after each batch applied (on the feed's thread; it must only schedule work). */
    public AutoCloseable onApplied(Runnable listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    /** Catches up soon on the feed's thread; wake-ups that arrive meanwhile are one catch-up. */
    public void wake() {
        if (!closed && wakePending.compareAndSet(false, true)) {
            thread.execute(() -> {
                wakePending.set(false);
                catchUpInBackground();
            });
        }
    }

    /**
     * Catches up in the caller's thread: for a caller that must see a change another replica has just
     * committed (an agent asking to sign for an entry its watch on that replica has just delivered).
     *
     * @throws RuntimeException the datastore's error if it cannot be read
     */
    public void catchUpNow() {
        catchUp();
    }

    private void catchUpInBackground() {
        if (closed) {
            return;
        }
        try {
            catchUp();
            if (failures > 0) {
                log.info(
                        "change log readable again after {} failed reads; caught up to revision {}",
                        failures,
                        revision);
                failures = 0;
            }
        } catch (RuntimeException e) {
            if (failures++ == 0) {
                log.warn(
                        "cannot read the change log ({}); serving from memory at revision {} and retrying",
                        e.getMessage(),
                        revision);
            }
            long delay = Math.min(RETRY_MAX.toMillis(), RETRY_FIRST.toMillis() << Math.min(failures - 1, 5));
            thread.schedule(this::wake, delay, TimeUnit.MILLISECONDS);
        }
    }

    private synchronized void catchUp() {
        boolean applied = false;
        try {
            while (!closed) {
                List<Change> batch = database.since(revision, BATCH);
                if (batch.isEmpty()) {
                    gapSince = -1;
                    return;
                }
                int unbroken = Change.unbrokenRun(batch, revision);
                if (unbroken > 0) {
                    apply(batch.subList(0, unbroken));
                    applied = true;
                    gapSince = -1;
                    if (unbroken == batch.size() && batch.size() < BATCH) {
                        return;
                    }
                } else if (!waitedOutGap(batch.get(0).revision())) {
                    thread.schedule(this::wake, GAP_RECHECK.toMillis(), TimeUnit.MILLISECONDS);
                    return;
                } else {
                    skipGap(batch.get(0).revision());
                    applied = true;
                }
            }
        } finally {
            if (applied) {
                listeners.forEach(Runnable::run);
            }
        }
    }

    private void apply(List<Change> changes) {
        for (Stage stage : stages) {
            stage.apply(changes);
        }
        recent.append(changes);
        revision = changes.get(changes.size() - 1).revision();
    }

    private boolean waitedOutGap(long next) {
        long now = nanoTime.getAsLong();
        if (gapSince < 0 || gapAfter != revision) {
            gapSince = now;
            gapAfter = revision;
            log.debug("change log: revision {} follows {}; waiting for the revisions between", next, revision);
        }
        return now - gapSince >= GAP_WAIT.toNanos();
    }

    private void skipGap(long next) {
        log.warn(
                "change log: revisions {} to {} are still missing after {}; reloading entries, agents and bundle"
                        + " from the tables and going on from {} (agents whose revision lies in the gap get a fresh"
                        + " snapshot)",
                revision + 1,
                next - 1,
                Durations.format(GAP_WAIT),
                next);
        for (Stage stage : stages) {
            stage.reload();
        }
        recent.clear();
        revision = next - 1;
        gapSince = -1;
    }

    @Override
    public void close() {
        closed = true;
        if (poll != null) {
            poll.cancel(false);
        }
    }
}
