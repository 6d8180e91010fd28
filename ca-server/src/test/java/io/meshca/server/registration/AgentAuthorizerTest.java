package io.meshca.server.registration;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshca.common.spiffe.Selector;
import io.meshca.common.spiffe.SelectorSet;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.common.testing.FakeClock;
import io.meshca.server.datastore.DataStore;
import io.meshca.server.model.RegistrationEntry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentAuthorizerTest {

    private static final SpiffeId SERVER = SpiffeId.parse("spiffe://example.org/meshca/server");
    private static final SpiffeId AGENT_A = SpiffeId.parse("spiffe://example.org/meshca/agent/join_token/a");
    private static final SpiffeId AGENT_B = SpiffeId.parse("spiffe://example.org/meshca/agent/join_token/b");
    private static final SelectorSet A_SELECTORS = SelectorSet.of(Selector.parse("join_token:a"));
    private static final SelectorSet B_SELECTORS = SelectorSet.of(Selector.parse("join_token:b"));

    @TempDir
    Path dir;

    private final FakeClock clock = new FakeClock(Instant.parse("2026-03-01T12:00:00Z"));
    private DataStore store;
    private AgentAuthorizer authorizer;

    @BeforeEach
    void setUp() {
        store = DataStore.sqlite(dir, clock);
        authorizer = new AgentAuthorizer(SERVER, store.entries(), clock);
    }

    @AfterEach
    void tearDown() {
        store.close();
    }

    private RegistrationEntry entry(String path, SpiffeId parent, SelectorSet selectors) {
        return store.entries()
                .create(RegistrationEntry.draft(SpiffeId.parse("spiffe://example.org" + path), parent, selectors));
    }

    @Test
    void agentSeesItsOwnEntries_andNeverAnotherAgents() {
        RegistrationEntry mine = entry("/a-web", AGENT_A, SelectorSet.of(Selector.parse("unix:uid:1")));
        entry("/b-web", AGENT_B, SelectorSet.of(Selector.parse("unix:uid:1")));

        assertThat(authorizer.authorizedEntries(AGENT_A, A_SELECTORS))
                .extracting(RegistrationEntry::id)
                .containsExactly(mine.id());
        assertThat(authorizer.authorizedEntries(AGENT_B, B_SELECTORS))
                .extracting(RegistrationEntry::id)
                .doesNotContain(mine.id());
    }

    @Test
    void nodeAliasEntries_reachOnlyAgentsWhoseSelectorsMatchTheAlias() {
        entry("/node1", SERVER, A_SELECTORS);
        RegistrationEntry viaAlias = entry(
                "/web", SpiffeId.parse("spiffe://example.org/node1"), SelectorSet.of(Selector.parse("unix:uid:1")));

        assertThat(authorizer.authorizedEntries(AGENT_A, A_SELECTORS))
                .extracting(RegistrationEntry::id)
                .containsExactly(viaAlias.id());
        assertThat(authorizer.authorizedEntries(AGENT_B, B_SELECTORS)).isEmpty();
    }

    @Test
    void aliasEntriesThemselves_areNotWorkloadEntriesOfTheAgent() {
        RegistrationEntry alias = entry("/node1", SERVER, A_SELECTORS);

        assertThat(authorizer.authorizedEntries(AGENT_A, A_SELECTORS))
                .extracting(RegistrationEntry::id)
                .doesNotContain(alias.id());
    }

    @Test
    void expiredEntries_areNotAuthorized() {
        RegistrationEntry e = store.entries()
                .create(new RegistrationEntry(
                        "",
                        SpiffeId.parse("spiffe://example.org/tmp"),
                        AGENT_A,
                        SelectorSet.of(Selector.parse("unix:uid:1")),
                        Duration.ZERO,
                        Duration.ZERO,
                        List.of(),
                        List.of(),
                        "",
                        false,
                        false,
                        clock.instant().plusSeconds(60),
                        0,
                        Instant.EPOCH));
        assertThat(authorizer.authorizedEntries(AGENT_A, A_SELECTORS))
                .extracting(RegistrationEntry::id)
                .contains(e.id());

        clock.advance(Duration.ofSeconds(60));
        assertThat(authorizer.authorizedEntries(AGENT_A, A_SELECTORS)).isEmpty();
    }
}
