package io.meshca.server.agents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshca.common.error.InvalidArgumentException;
import io.meshca.common.spiffe.SelectorSet;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.common.testing.FakeClock;
import io.meshca.server.audit.AuditEvent;
import io.meshca.server.audit.AuditLog;
import io.meshca.server.datastore.DataStore;
import io.meshca.server.model.AgentRecord;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentPurgeTest {

    private static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");
    private static final SpiffeId FRESH = SpiffeId.parse("spiffe://example.org/meshca/agent/join_token/fresh");
    private static final SpiffeId RECENT = SpiffeId.parse("spiffe://example.org/meshca/agent/join_token/recent");
    private static final SpiffeId STALE = SpiffeId.parse("spiffe://example.org/meshca/agent/join_token/stale");

    @TempDir
    Path dir;

    private final FakeClock clock = new FakeClock(NOW);
    private final List<AuditEvent> audited = new ArrayList<>();
    private DataStore store;
    private AgentManager agents;

    @BeforeEach
    void setUp() {
        store = DataStore.sqlite(dir, clock);
        AuditLog audit = new AuditLog() {
            @Override
            public void record(AuditEvent event) {
                audited.add(event);
            }

            @Override
            public void flush() {}
        };
        agents = new AgentManager(List.of(), store.agents(), null, audit, clock);
        store.agents().upsert(agent(FRESH, NOW.plus(Duration.ofHours(1))));
        store.agents().upsert(agent(RECENT, NOW.minus(Duration.ofDays(2))));
        store.agents().upsert(agent(STALE, NOW.minus(Duration.ofDays(40))));
    }

    @AfterEach
    void tearDown() {
        store.close();
    }

    private static AgentRecord agent(SpiffeId id, Instant svidExpiresAt) {
        return new AgentRecord(id, "join_token", "ab", svidExpiresAt, false, SelectorSet.of(), NOW, NOW);
    }

    @Test
    void purge_forgetsOnlyAgentsExpiredLongerThanAsked_andAuditsEach() {
        List<AgentRecord> purged = agents.purge(Duration.ofDays(30), false, "admin:local");

        assertThat(purged).extracting(AgentRecord::spiffeId).containsExactly(STALE);
        assertThat(store.agents().get(STALE)).isEmpty();
        assertThat(store.agents().get(RECENT)).isPresent();
        assertThat(agents.count()).isEqualTo(2);
        assertThat(audited).singleElement().satisfies(e -> {
            assertThat(e.action()).isEqualTo("agent.purge");
            assertThat(e.subject()).isEqualTo(STALE.toString());
            assertThat(e.actor()).isEqualTo("admin:local");
        });
    }

    @Test
    void purge_followsTheClock() {
        clock.advance(Duration.ofDays(29));

        assertThat(agents.purge(Duration.ofDays(30), false, "admin:local"))
                .extracting(AgentRecord::spiffeId)
                .containsExactly(RECENT, STALE);
    }

    @Test
    void dryRun_changesNothing_andAuditsNothing() {
        assertThat(agents.purge(Duration.ofDays(1), true, "admin:local"))
                .extracting(AgentRecord::spiffeId)
                .containsExactly(RECENT, STALE);
        assertThat(agents.count()).isEqualTo(3);
        assertThat(audited).isEmpty();
    }

    @Test
    void nonPositiveDuration_isRefused() {
        assertThatThrownBy(() -> agents.purge(Duration.ZERO, false, "admin:local"))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("expiredFor must be positive");
        assertThat(agents.count()).isEqualTo(3);
    }
}
