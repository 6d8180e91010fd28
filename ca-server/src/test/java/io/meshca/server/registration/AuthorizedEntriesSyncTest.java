package io.meshca.server.registration;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshca.common.spiffe.Selector;
import io.meshca.common.spiffe.SelectorSet;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.common.testing.FakeClock;
import io.meshca.server.datastore.DataStore;
import io.meshca.server.model.Change;
import io.meshca.server.model.RegistrationEntry;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuthorizedEntriesSyncTest {

    private static final SpiffeId SERVER = SpiffeId.parse("spiffe://example.org/meshca/server");
    private static final SpiffeId AGENT = SpiffeId.parse("spiffe://example.org/meshca/agent/join_token/a");

    @TempDir
    Path dir;

    private final FakeClock clock = new FakeClock(Instant.parse("2026-03-01T12:00:00Z"));
    private DataStore store;

    @BeforeEach
    void open() {
        store = DataStore.sqlite(dir, clock);
    }

    @AfterEach
    void close() {
        store.close();
    }

    private RegistrationEntry entry(String path) {
        return store.entries()
                .create(RegistrationEntry.draft(
                        SpiffeId.parse("spiffe://example.org" + path),
                        AGENT,
                        SelectorSet.of(Selector.parse("unix:uid:1"))));
    }

    private AuthorizedEntriesSync over(ChangeLog log) {
        return new AuthorizedEntriesSync(new AgentAuthorizer(SERVER, store.entries(), clock), store.entries(), log);
    }

    @Test
    void aDeltaCarriesTheAgentsChangedEntries() {
        long start = store.changes().currentRevision();
        RegistrationEntry created = entry("/w");
        AuthorizedEntriesSync.Delta delta = over(store.changes()).since(start, AGENT, Set.of(AGENT));
        assertThat(delta.resnapshot()).isFalse();
        assertThat(delta.upserted()).containsExactly(created);
        assertThat(delta.revision()).isEqualTo(created.revision());
    }

    /** Changes missing from the log (pruned, or deleted): a delta could miss one, so the agent gets a snapshot. */
    @Test
    void aGapInTheLog_asksForASnapshot_ratherThanADeltaThatMightMissAChange() {
        long start = store.changes().currentRevision();
        entry("/lost");
        RegistrationEntry kept = entry("/kept");
        ChangeLog withoutTheFirst = new ChangeLog() {
            @Override
            public long currentRevision() {
                return store.changes().currentRevision();
            }

            @Override
            public List<Change> since(long revision, int limit) {
                return store.changes().since(revision, limit).stream()
                        .filter(c -> c.revision() != start + 1)
                        .toList();
            }
        };
        AuthorizedEntriesSync.Delta delta = over(withoutTheFirst).since(start, AGENT, Set.of(AGENT));
        assertThat(delta.resnapshot()).isTrue();
        assertThat(delta.revision()).isEqualTo(kept.revision());
    }
}
