package io.meshca.server.changes;

import io.meshca.server.model.Change;
import io.meshca.server.registration.ChangeLog;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The change log as the agents' watches read it: the last changes the feed applied, in a ring in
 * memory, and the database's log for anything older. It never returns a change past the feed's
 * revision, because the entries a watch reads next come from the cache, which holds nothing newer: a
 * watch that skipped ahead of the cache would send an old entry and never learn of the new one.
 */
final class RecentChanges implements ChangeLog {

    private final ChangeLog database;
    private final LongSupplier applied;
    private final Change[] ring;
    /** Index in {@link #ring} of the oldest change kept; {@link #count} changes follow it, revisions consecutive. */
    private int start;

    private int count;

    RecentChanges(ChangeLog database, LongSupplier applied, int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1");
        }
        this.database = database;
        this.applied = applied;
        this.ring = new Change[capacity];
    }

    /** Adds changes that directly follow those kept, in revision order. */
    synchronized void append(List<Change> changes) {
        for (Change c : changes) {
            if (count > 0 && c.revision() != newest() + 1) {
                throw new IllegalArgumentException(
                        "change " + c.revision() + " does not follow " + newest() + " in the recent changes");
            }
            if (count == ring.length) {
                ring[start] = null;
                start = (start + 1) % ring.length;
                count--;
            }
            ring[(start + count) % ring.length] = c;
            count++;
        }
    }

    /** Forgets every change kept (after a reload: what follows may not follow them). */
    synchronized void clear() {
        Arrays.fill(ring, null);
        start = 0;
        count = 0;
    }

    @Override
    public long currentRevision() {
        return applied.getAsLong();
    }

    @Override
    public List<Change> since(long revision, int limit) {
        long head = applied.getAsLong();
        if (revision >= head) {
            return List.of();
        }
        synchronized (this) {
            if (count > 0 && ring[start].revision() <= revision + 1 && revision < newest()) {
                int first = (int) (revision + 1 - ring[start].revision());
                int n = (int) Math.min(limit, Math.min(count - first, head - revision));
                List<Change> out = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    out.add(ring[(start + first + i) % ring.length]);
                }
                return out;
            }
        }
        // Older than the ring (an agent reconnecting after a long time): the database, up to the feed's revision.
        List<Change> older = database.since(revision, limit);
        return older.stream().takeWhile(c -> c.revision() <= head).toList();
    }

    private long newest() {
        return ring[(start + count - 1) % ring.length].revision();
    }
}
