package io.meshca.server.changes;

import io.meshca.server.model.Change;
import io.meshca.server.registration.ChangeLog;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A change log in a list, whose rows the test commits in any order (as concurrent transactions with
 * sequence-taken revisions would), and which can be made to fail like a database that went away.
 */
final class ListChangeLog implements ChangeLog {

    private final List<Change> committed = new ArrayList<>();
    private final AtomicReference<RuntimeException> failure = new AtomicReference<>();
    final AtomicInteger reads = new AtomicInteger();
    /** Opens at the first read, failed or not. */
    final CountDownLatch firstRead = new CountDownLatch(1);

    synchronized void commit(long... revisions) {
        for (long r : revisions) {
            committed.add(entry(r));
        }
        committed.sort(Comparator.comparingLong(Change::revision));
    }

    synchronized void remove(long revision) {
        committed.removeIf(c -> c.revision() == revision);
    }

    void failWith(RuntimeException e) {
        failure.set(e);
    }

    static Change entry(long revision) {
        return new Change(revision, Change.Kind.ENTRY, "entry-" + revision, "spiffe://td/agent", Change.Op.UPSERT);
    }

    @Override
    public synchronized long currentRevision() {
        return committed.isEmpty() ? 0 : committed.get(committed.size() - 1).revision();
    }

    @Override
    public synchronized List<Change> since(long revision, int limit) {
        reads.incrementAndGet();
        firstRead.countDown();
        RuntimeException e = failure.get();
        if (e != null) {
            throw e;
        }
        return committed.stream()
                .filter(c -> c.revision() > revision)
                .limit(limit)
                .toList();
    }
}
