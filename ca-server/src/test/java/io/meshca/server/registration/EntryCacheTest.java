package io.meshca.server.registration;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshca.common.spiffe.Selector;
import io.meshca.common.spiffe.SelectorSet;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.server.datastore.DataStore;
import io.meshca.server.model.Change;
import io.meshca.server.model.RegistrationEntry;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EntryCacheTest {

    private static final SpiffeId AGENT_A = SpiffeId.parse("spiffe://example.org/meshca/agent/a");
    private static final SpiffeId AGENT_B = SpiffeId.parse("spiffe://example.org/meshca/agent/b");

    @TempDir
    Path dir;

    private DataStore store;
    private EntryCache cache;

    @BeforeEach
    void open() {
        store = DataStore.sqlite(dir, Clock.systemUTC());
        cache = new EntryCache(store.entries());
    }

    @AfterEach
    void close() {
        store.close();
    }

    private RegistrationEntry create(String path, SpiffeId parent) {
        return store.entries()
                .create(RegistrationEntry.draft(
                        SpiffeId.parse("spiffe://example.org" + path),
                        parent,
                        SelectorSet.of(Selector.parse("unix:uid:1000"))));
    }

    private void applyChangesSince(long revision) {
        cache.apply(store.changes().since(revision, 1000));
    }

    @Test
    void loadsEveryEntry_byPages() {
        for (int i = 0; i < 25; i++) {
            create("/w" + i, i % 2 == 0 ? AGENT_A : AGENT_B);
        }
        assertThat(cache.load()).isEqualTo(25);
        assertThat(cache.listByParents(List.of(AGENT_A))).hasSize(13);
        assertThat(cache.listByParents(List.of(AGENT_A, AGENT_B)))
                .extracting(RegistrationEntry::id)
                .isSorted()
                .hasSize(25);
    }

    @Test
    void appliesCreates_moves_andDeletes() {
        cache.load();
        long start = store.changes().currentRevision();
        RegistrationEntry e = create("/w", AGENT_A);
        applyChangesSince(start);
        assertThat(cache.get(e.id())).contains(e);
        assertThat(cache.listByParents(List.of(AGENT_A))).containsExactly(e);

        long beforeMove = store.changes().currentRevision();
        RegistrationEntry moved = store.entries().update(underParent(e, AGENT_B));
        applyChangesSince(beforeMove);
        assertThat(cache.listByParents(List.of(AGENT_A))).isEmpty();
        assertThat(cache.listByParents(List.of(AGENT_B))).containsExactly(moved);

        long beforeDelete = store.changes().currentRevision();
        store.entries().delete(e.id());
        applyChangesSince(beforeDelete);
        assertThat(cache.get(e.id())).isEmpty();
        assertThat(cache.listByParents(List.of(AGENT_B))).isEmpty();
        assertThat(cache.size()).isZero();
    }

    private static RegistrationEntry underParent(RegistrationEntry e, SpiffeId parent) {
        return new RegistrationEntry(
                e.id(),
                e.spiffeId(),
                parent,
                e.selectors(),
                e.x509SvidTtl(),
                e.jwtSvidTtl(),
                e.dnsNames(),
                e.federatesWith(),
                e.hint(),
                e.admin(),
                e.downstream(),
                e.expiresAt(),
                e.revision(),
                e.createdAt());
    }

    @Test
    void ignoresChangesOfOtherKinds() {
        cache.load();
        cache.apply(List.of(new Change(1, Change.Kind.AGENT, AGENT_A.toString(), null, Change.Op.DELETE)));
        assertThat(cache.size()).isZero();
    }
}
