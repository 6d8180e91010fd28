package io.meshca.server.audit;

import io.meshca.server.datastore.AuditRecord;
import io.meshca.server.datastore.AuditStore;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the database off the signing path: events are queued and one writer thread chains and writes
 * them in batches. {@link #close()} drains the queue, so every event recorded before shutdown is kept.
 * Only the writer thread touches the chain head, so chaining needs no lock.
 */
public final class GroupCommitAuditLog implements AuditLog, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(GroupCommitAuditLog.class);
    /**
     * Rows per transaction at most. Under an issuance storm the writer's cost is mostly per transaction
     * (file locks, WAL frames, syscalls), so it takes what has queued up, up to this many, at once.
     */
    private static final int BATCH = 4096;

    private record Pending(AuditEvent event, long atMillis) {
    }

    private final AuditStore store;
    private final Clock clock;
    private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private final Thread writer;
    private volatile boolean closed;
    private AuditRecord head;

    public GroupCommitAuditLog(AuditStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
        this.head = store.last().orElse(null);
        this.writer = new Thread(this::run, "audit-writer");
        this.writer.setDaemon(true);
        this.writer.start();
    }

    @Override
    public void record(AuditEvent event) {
        if (closed) {
            throw new IllegalStateException("audit log is closed");
        }
        queue.add(new Pending(event, clock.millis()));
    }

    @Override
    public void flush() {
        Barrier barrier = new Barrier();
        queue.add(barrier);
        try {
            if (!barrier.done.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("audit log did not flush within 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static final class Barrier {
        final java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
    }

    private void run() {
        List<Object> batch = new ArrayList<>(BATCH);
        while (true) {
            try {
                Object first = queue.poll(200, TimeUnit.MILLISECONDS);
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
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void write(List<Object> batch) {
        List<AuditRecord> rows = new ArrayList<>(batch.size());
        AuditRecord prev = head;
        for (Object o : batch) {
            if (o instanceof Pending p) {
                prev = AuditChain.next(prev, p.atMillis(), p.event());
                rows.add(prev);
            }
        }
        try {
            store.append(rows);
            head = prev;
        } catch (RuntimeException e) {
            // Losing audit rows silently would defeat the log; say so loudly. The chain head stays
            // put, so the next batch continues from the last row that is really stored.
            log.error("cannot write {} audit rows", rows.size(), e);
        }
        for (Object o : batch) {
            if (o instanceof Barrier b) {
                b.done.countDown();
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            writer.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
