package io.meshca.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshca.agent.config.AgentConfig;
import io.meshca.agent.testing.Poll;
import io.meshca.agent.testing.RunningAgent;
import io.meshca.common.spiffe.Selector;
import io.meshca.common.spiffe.SelectorSet;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.server.audit.AuditChain;
import io.meshca.server.config.ServerConfig;
import io.meshca.server.model.AuditRecord;
import io.meshca.server.model.RegistrationEntry;
import io.meshca.server.testing.TestPostgres;
import io.meshca.server.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real agent given two real ca-server replicas that share one PostgreSQL database, at
 * MESHCA_TEST_POSTGRES_URL (e.g. jdbc:postgresql://127.0.0.1:5432/test?user=postgres); skipped, saying
 * so, when unset. Each replica signs with its own CA, so the issuer of the agent's SVID tells which
 * replica renewed it: renewals go to both, and after one replica stops the other renews and serves,
 * and nothing the stopped replica did is lost.
 */
class ReplicaFailoverPostgresEndToEndTest {

    private static final String SCHEMA = "meshca_agent_failover";
    private static final Duration AGENT_SVID_TTL = Duration.ofSeconds(10);
    private static final Duration WAIT = Duration.ofSeconds(60);
    /** Two renewal periods: how soon the surviving replica must have renewed. */
    private static final Duration FAILOVER = Duration.ofSeconds(15);

    @TempDir
    Path dir;

    private TestServer first;
    private TestServer second;
    private RunningAgent agent;

    @BeforeAll
    static void requirePostgres() {
        TestPostgres.require("the agent's failover between PostgreSQL replicas");
    }

    @AfterEach
    void stop() {
        if (agent != null) {
            agent.close();
        }
        if (first != null) {
            first.close();
        }
        if (second != null) {
            second.close();
        }
        TestPostgres.dropSchema(SCHEMA);
    }

    private ServerConfig replica(String name, String databaseUrl) {
        return TestServer.config(dir.resolve(name))
                .databaseUrl(databaseUrl)
                .agentSvidTtl(AGENT_SVID_TTL)
                .build();
    }

    @Test
    void renewalsGoToBothReplicas_andTheSurvivorRenewsAndServes_whenOneStops() throws Exception {
        String databaseUrl = TestPostgres.freshSchema(SCHEMA);
        first = TestServer.start(replica("first", databaseUrl));
        X509Certificate firstCa = first.trustBundle().get(0);
        second = TestServer.start(replica("second", databaseUrl));
        // each replica adds its CA to the shared journal; wait until both serve both roots
        Poll.until(
                "both replicas serving both CAs",
                WAIT,
                () -> first.trustBundle().size() >= 2 && second.trustBundle().size() >= 2 ? true : null);
        X509Certificate secondCa = second.trustBundle().stream()
                .filter(ca -> !ca.equals(firstCa))
                .findFirst()
                .orElseThrow();
        Path bundle = Files.writeString(dir.resolve("bundle.pem"), second.trustBundlePem());
        agent = RunningAgent.start(AgentConfig.builder()
                .trustDomain(first.trustDomain().name())
                .serverAddress("127.0.0.1:" + first.agentApiPort() + ",127.0.0.1:" + second.agentApiPort())
                .socketPath(dir.resolve("sock/api.sock"))
                .trustBundle(bundle)
                .dataDir(dir.resolve("agent"))
                .joinToken(first.generateJoinToken(Duration.ofMinutes(10), Optional.empty()))
                .build());
        assertThat(agent.awaitSynced(WAIT)).isTrue();
        int uid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        SpiffeId workloadId = SpiffeId.parse("spiffe://" + first.trustDomain().name() + "/e2e/failover");
        RegistrationEntry entry = second.createEntry(
                workloadId, agent.agentId(), SelectorSet.of(Selector.parse("unix:uid:" + uid)), Duration.ZERO);
        assertThat(Poll.until("a workload SVID", WAIT, agent::firstSvidOrNull).spiffeId())
                .isEqualTo(workloadId);

        Poll.until("an agent SVID renewed by the first replica", WAIT, () -> signedBy(firstCa) ? true : null);
        String renewedByFirst = agent.agentSvid().leaf().getSerialNumber().toString(16);
        Poll.until("an agent SVID renewed by the second replica", WAIT, () -> signedBy(secondCa) ? true : null);

        first.close();
        first = null;
        Instant stopped = Instant.now();
        Poll.until(
                "an agent SVID renewed by the survivor after the stop",
                FAILOVER,
                () -> signedBy(secondCa)
                                && agent.agentSvid()
                                        .leaf()
                                        .getNotAfter()
                                        .toInstant()
                                        .isAfter(stopped.plus(AGENT_SVID_TTL).minusSeconds(1))
                        ? true
                        : null);
        assertThat(agent.firstSvidOrNull()).isNotNull();

        // Nothing the stopped replica did is lost: the entry stays, and its audit rows are in the one chain.
        assertThat(second.admin().getEntry(entry.id()).spiffeId()).isEqualTo(workloadId);
        List<AuditRecord> audit = TestPostgres.auditLog(databaseUrl);
        assertThat(AuditChain.verify(null, audit)).isNull();
        assertThat(audit).anyMatch(r -> r.detail().contains("serial=" + renewedByFirst));
    }

    private boolean signedBy(X509Certificate ca) {
        try {
            agent.agentSvid().leaf().verify(ca.getPublicKey());
            return true;
        } catch (Exception e) {
            return false;
        }
    }
}
