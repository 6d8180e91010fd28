package io.meshca.server.audit;

import io.meshca.common.error.MeshcaException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit: events are queued and one writer thread hands whatever has queued up to the store, which
 * chains and writes it in one transaction. Under load the database costs one transaction per batch, not
 * per event. {@link #close()} drains the queue, so every event recorded before shutdown is kept.
 *
 * <p>The {@link Mode} decides what {@link #record} promises: {@link Mode#ASYNC} returns once the event is
 * queued (the signing path never waits for the database); {@link Mode#SYNC} returns once the event's
 * batch is committed and throws {@link AuditWriteException} if it was not, so callers can fail closed.
 *
 * <p>No row is lost to a store that fails (a database outage): in ASYNC mode the rows it does not take go
 * to the {@link AuditSpool}, and so does every row after them, to keep their order, until the store takes
 * the spooled rows again (tried before each batch, and every {@link #RETRY} while idle). A spool left by
 * an earlier run is written first. SYNC rows are never spooled (their recorders are told instead), but
 * they too wait behind a spool an ASYNC run left.
 */
public final class GroupCommitAuditLog implements AuditLog, AutoCloseable {

    /** What {@link #record} waits for. */
    public enum Mode {
        /** Queue and return; rows the store does not take are spooled, the caller never learns of it. */
        ASYNC,
        /** Wait until the row is committed; a failed write throws {@link AuditWriteException}. */
        SYNC
    }

    private static final Logger log = LoggerFactory.getLogger(GroupCommitAuditLog.class);
    /**
     * Rows per transaction at most. Under an issuance storm the writer's cost is mostly per transaction
     * (file locks, WAL frames, syscalls), so it takes what has queued up, up to this many, at once.
     */
    private static final int BATCH = 4096;
    /** How long {@link #flush()} and a synchronous {@link #record} wait for the writer. */
    private static final long WAIT_SECONDS = 30;
    /** How often an idle writer tries to hand the spool to the store. */
    static final Duration RETRY = Duration.ofSeconds(1);

    /**
     * One queued item: an event to write ({@code event} set), or a {@link #flush()} marker ({@code event}
     * null). {@code written} completes once the batch holding it is committed, exceptionally if it was
     * not; it is null for ASYNC events, which nobody waits for.
     */
    private record Pending(AuditEvent event, long atMillis, CompletableFuture<Void> written) {}

    private final AuditStore store;
    private final AuditSpool spool;
    private final Clock clock;
    private final Mode mode;
    private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final Thread writer;
    private volatile boolean closed;
    /** Writer thread only: when an idle writer next tries the spool (at once for a spool found at start). */
    private long nextRetryMillis;
    /** Writer thread only: whether this outage was already reported. */
    private boolean spooling;

    /** An {@link Mode#ASYNC} log, the server's default. */
    public GroupCommitAuditLog(AuditStore store, AuditSpool spool, Clock clock) {
        this(store, spool, clock, Mode.ASYNC);
    }

    /**
     * @param spool where ASYNC rows wait while the store fails; the writer thread owns it from now on and
     *     closes it with this log
     */
    public GroupCommitAuditLog(AuditStore store, AuditSpool spool, Clock clock, Mode mode) {
        this.store = Objects.requireNonNull(store, "store");
        this.spool = Objects.requireNonNull(spool, "spool");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.mode = Objects.requireNonNull(mode, "mode");
        this.writer = new Thread(this::run, "audit-writer");
        this.writer.setDaemon(true);
        this.writer.start();
    }

    public Mode mode() {
        return mode;
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalStateException if the log is closed
     * @throws AuditWriteException in {@link Mode#SYNC} only, if the row was not committed
     */
    @Override
    public void record(AuditEvent event) {
        Objects.requireNonNull(event, "event");
        if (closed) {
            throw new IllegalStateException("audit log is closed");
        }
        if (mode == Mode.ASYNC) {
            queue.add(new Pending(event, clock.millis(), null));
            return;
        }
        CompletableFuture<Void> committed = new CompletableFuture<>();
        queue.add(new Pending(event, clock.millis(), committed));
        awaitCommit(committed);
    }

    private static void awaitCommit(CompletableFuture<Void> committed) {
        try {
            committed.get(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            // A domain error's message is written for the caller ("datastore unavailable: ..."); others stay
            // in the cause, for the log.
            throw new AuditWriteException(
                    e.getCause() instanceof MeshcaException m ? m.getMessage() : "the audit store failed",
                    e.getCause());
        } catch (TimeoutException e) {
            // The row may still be written later; an audit row without its certificate is the safe side.
            throw new AuditWriteException("not committed within " + WAIT_SECONDS + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AuditWriteException("interrupted while waiting for the commit", e);
        }
    }

    /**
     * Waits until everything recorded before is written: to the store, or to the spool while the store
     * fails (SYNC rows that failed were reported to their recorders).
     */
    @Override
    public void flush() {
        CompletableFuture<Void> flushed = new CompletableFuture<>();
        queue.add(new Pending(null, 0, flushed));
        try {
            flushed.get(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            // only when the writer is gone; a failed batch completes its markers normally
            throw new IllegalStateException(
                    "audit log did not flush: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("audit log did not flush within " + WAIT_SECONDS + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        List<Pending> batch = new ArrayList<>(BATCH);
        try {
            while (true) {
                Pending first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    if (closed && queue.isEmpty()) {
                        retrySpool();
                        return;
                    }
                    if (!spool.isEmpty() && clock.millis() >= nextRetryMillis) {
                        retrySpool();
                    }
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, BATCH - 1);
                write(batch);
                batch.clear();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            closeSpool();
            // Interrupted, or an Error escaped a write: whoever still waits is told now, not after 30 s.
            batch.addAll(queue);
            queue.removeAll(batch);
            IllegalStateException gone = new IllegalStateException("the audit writer stopped");
            batch.forEach(p -> {
                if (p.written() != null) {
                    p.written().completeExceptionally(gone);
                }
            });
        }
    }

    /** Writes one batch and then releases everyone waiting on it: recorders (SYNC) and flushers. */
    private void write(List<Pending> batch) {
        List<TimedAuditEvent> events = new ArrayList<>(batch.size());
        for (Pending p : batch) {
            if (p.event() != null) {
                events.add(new TimedAuditEvent(p.event(), p.atMillis()));
            }
        }
        RuntimeException failure = null;
        try {
            writeSpool();
            store.append(events);
        } catch (RuntimeException e) {
            // The store took none of this batch (one transaction), and the next batch chains from the last
            // row that really is stored.
            failure = e;
            if (mode == Mode.ASYNC) {
                spool(events, e);
            } else if (e instanceof MeshcaException) {
                log.warn(
                        "cannot write {} audit rows (auditWrites: sync, the recorders are told): {}",
                        events.size(),
                        e.getMessage());
            } else {
                log.error("cannot write {} audit rows (auditWrites: sync, the recorders are told)", events.size(), e);
            }
        }
        for (Pending p : batch) {
            if (p.written() == null) {
                continue;
            }
            if (failure == null || p.event() == null) {
                p.written().complete(null); // a flush waits for the attempt; the rows are stored or spooled
            } else {
                p.written().completeExceptionally(failure);
            }
        }
    }

    /** Hands the spooled rows to the store, oldest first; throws the store's failure if it stops. */
    private void writeSpool() {
        if (spool.isEmpty()) {
            return;
        }
        long rows = spool.pending();
        try {
            while (!spool.isEmpty()) {
                AuditSpool.Batch b = spool.peek(BATCH);
                store.append(b.events());
                spool.stored(b);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the audit spool " + spool.file(), e);
        }
        spooling = false;
        log.info("audit spool written to the store rows={} spool={}", rows, spool.file());
    }

    private void retrySpool() {
        try {
            writeSpool();
        } catch (RuntimeException e) {
            nextRetryMillis = clock.millis() + RETRY.toMillis();
            log.debug("audit spool still waiting for the store rows={}", spool.pending(), e);
        }
    }

    /** Keeps rows the store did not take; only a failing disk on top of a failing store loses them. */
    private void spool(List<TimedAuditEvent> events, RuntimeException storeFailure) {
        if (events.isEmpty()) {
            return;
        }
        try {
            spool.append(events);
        } catch (IOException e) {
            e.addSuppressed(storeFailure);
            log.error("{} audit rows LOST: the store failed and so did the spool {}", events.size(), spool.file(), e);
            return;
        }
        nextRetryMillis = clock.millis() + RETRY.toMillis();
        if (!spooling) {
            spooling = true;
            // A domain error (the datastore is unavailable) says all in its message; anything else is a bug
            // or a broken database, and its trace belongs in the log.
            log.warn(
                    "audit store failed; rows are spooled to {} and written when it is back (rows={}): {}",
                    spool.file(),
                    spool.pending(),
                    storeFailure.getMessage(),
                    storeFailure instanceof MeshcaException ? null : storeFailure);
        }
    }

    private void closeSpool() {
        try {
            spool.close();
        } catch (IOException e) {
            log.warn("cannot close the audit spool {}", spool.file(), e);
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            writer.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
