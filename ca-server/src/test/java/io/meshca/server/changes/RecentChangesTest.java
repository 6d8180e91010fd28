package io.meshca.server.changes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshca.server.model.Change;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class RecentChangesTest {

    private final ListChangeLog database = new ListChangeLog();
    private final AtomicLong applied = new AtomicLong();
    private final RecentChanges recent = new RecentChanges(database, applied::get, 4);

    private void applyUpTo(long revision) {
        long from = applied.get() + 1;
        database.commit(LongStream.rangeClosed(from, revision).toArray());
        recent.append(LongStream.rangeClosed(from, revision)
                .mapToObj(ListChangeLog::entry)
                .toList());
        applied.set(revision);
    }

    private static List<Long> revisions(List<Change> changes) {
        return changes.stream().map(Change::revision).toList();
    }

    @Test
    void recentChanges_comeFromMemory() {
        applyUpTo(3);
        int readsBefore = database.reads.get();
        assertThat(revisions(recent.since(0, 10))).containsExactly(1L, 2L, 3L);
        assertThat(revisions(recent.since(1, 1))).containsExactly(2L);
        assertThat(recent.since(3, 10)).isEmpty();
        assertThat(database.reads.get()).isEqualTo(readsBefore);
    }

    @Test
    void keepsTheLastChanges_andReadsOlderOnesFromTheDatabase() {
        applyUpTo(10); // the ring holds 7..10
        int readsBefore = database.reads.get();
        assertThat(revisions(recent.since(6, 10))).containsExactly(7L, 8L, 9L, 10L);
        assertThat(database.reads.get()).isEqualTo(readsBefore);

        assertThat(revisions(recent.since(2, 10))).containsExactly(3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L);
        assertThat(database.reads.get()).isEqualTo(readsBefore + 1);
    }

    /** The entries a watch reads next come from memory: a change the feed has not applied must wait. */
    @Test
    void neverReturnsAChangePastWhatTheFeedApplied() {
        applyUpTo(2);
        database.commit(3, 4); // committed, not yet applied
        assertThat(revisions(recent.since(0, 10))).containsExactly(1L, 2L);
        assertThat(recent.currentRevision()).isEqualTo(2);
        recent.clear(); // older than memory now: the database's answer is cut at the applied revision too
        assertThat(revisions(recent.since(0, 10))).containsExactly(1L, 2L);
    }

    @Test
    void refusesAChangeThatDoesNotFollow() {
        applyUpTo(2);
        assertThatThrownBy(() -> recent.append(List.of(ListChangeLog.entry(4))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("does not follow 2");
    }
}
