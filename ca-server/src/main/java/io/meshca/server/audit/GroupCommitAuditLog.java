package io.meshca.server.audit;

import java.time.Clock;
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
 * Group commit: events are queued and one writer thread chains whatever has queued up and writes it in
 * one transaction. Under load the database costs one transaction per batch, not per event. Only the
 * writer thread touches the chain head, so chaining needs no lock. {@link #close()} drains the queue,
 * so every event recorded before shutdown is kept.
 *
 * <p>The {@link Mode} decides what {@link #record} promises: {@link Mode#ASYNC} returns once the event is
 * queued (the signing path never waits for the database); {@link Mode#SYNC} returns once the event's
 * batch is committed and throws {@link AuditWriteException} if it was not, so callers can fail closed.
 */
public final class GroupCommitAuditLog implements AuditLog, AutoCloseable {

    /** What {@link #record} waits for. */
    public enum Mode {
        /** Queue and return; a failed write is logged, the caller never learns of it. */
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

    /**
     * One queued item: an event to write ({@code event} set), or a {@link #flush()} marker ({@code event}
     * null). {@code written} completes once the batch holding it is committed, exceptionally if it was
     * not; it is null for ASYNC events, which nobody waits for.
     */
    private record Pending(AuditEvent event, long atMillis, CompletableFuture<Void> written) {}

    private final AuditStore store;
    private final Clock clock;
    private final Mode mode;
    private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final Thread writer;
    private volatile boolean closed;

    /** An {@link Mode#ASYNC} log, the server's default. */
    public GroupCommitAuditLog(AuditStore store, Clock clock) {
        this(store, clock, Mode.ASYNC);
    }

    public GroupCommitAuditLog(AuditStore store, Clock clock, Mode mode) {
        this.store = Objects.requireNonNull(store, "store");
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
            throw new AuditWriteException("the audit store failed", e.getCause());
        } catch (TimeoutException e) {
            // The row may still be written later; an audit row without its certificate is the safe side.
            throw new AuditWriteException("not committed within " + WAIT_SECONDS + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AuditWriteException("interrupted while waiting for the commit", e);
        }
    }

    /** Waits until everything recorded before is written (or its write failed, which is logged). */
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
                        return;
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
        RuntimeException failure = null;
        int rowCount = (int) batch.stream().filter(p -> p.event() != null).count();
        try {
            List<TimedAuditEvent> events = new ArrayList<>(rowCount);
            for (Pending p : batch) {
                if (p.event() != null) {
                    events.add(new TimedAuditEvent(p.event(), p.atMillis()));
                }
            }
            store.append(events);
        } catch (RuntimeException e) {
            // Losing audit rows silently would defeat the log; say so loudly (in SYNC mode the recorders
            // are told as well). Nothing of the batch is stored, and the next batch chains from the last
            // row that really is.
            log.error("cannot write {} audit rows", rowCount, e);
            failure = e;
        }
        for (Pending p : batch) {
            if (p.written() == null) {
                continue;
            }
            if (failure == null || p.event() == null) {
                p.written().complete(null); // a flush waits for the attempt; the failure was logged
            } else {
                p.written().completeExceptionally(failure);
            }
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
