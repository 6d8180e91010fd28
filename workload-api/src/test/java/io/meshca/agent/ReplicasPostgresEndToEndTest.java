package io.meshca.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.meshca.agent.config.AgentConfig;
import io.meshca.agent.rotation.IssuedBatch;
import io.meshca.agent.testing.FetchedX509Svid;
import io.meshca.agent.testing.Poll;
import io.meshca.agent.testing.RunningAgent;
import io.meshca.common.spiffe.Selector;
import io.meshca.common.spiffe.SelectorSet;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.server.model.LocalX509Authority;
import io.meshca.server.model.RegistrationEntry;
import io.meshca.server.testing.AgentApiClient;
import io.meshca.server.testing.TestPostgres;
import io.meshca.server.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two real ca-server replicas on one PostgreSQL database (MESHCA_TEST_POSTGRES_URL; skipped when
 * unset) and real agents, each attached to one replica: what one replica is told reaches the other's
 * agents — an entry within a second, a join token's use, a taint.
 */
class ReplicasPostgresEndToEndTest {

    private static final String SCHEMA = "meshca_replicas";
    private static final Duration WAIT = Duration.ofSeconds(60);
    /** How soon an entry created on one replica must reach an agent of the other. */
    private static final Duration PROPAGATION = Duration.ofSeconds(1);
    /** uids no process here has, valid in an entry: the agent pre-issues their SVIDs all the same. */
    private static final long UNUSED_UID = 2_000_000_000L;

    @TempDir
    Path dir;

    private TestServer first;
    private TestServer second;
    private Path bundle;
    private final List<RunningAgent> agents = new ArrayList<>();

    @BeforeAll
    static void requirePostgres() {
        TestPostgres.require("two replicas on PostgreSQL with their agents");
    }

    @BeforeEach
    void startReplicas() throws Exception {
        String url = TestPostgres.freshSchema(SCHEMA);
        first = TestServer.start(
                TestServer.config(dir.resolve("first")).databaseUrl(url).build());
        second = TestServer.start(
                TestServer.config(dir.resolve("second")).databaseUrl(url).build());
        Poll.until(
                "both replicas serving both CAs",
                WAIT,
                () -> first.trustBundle().size() >= 2 && second.trustBundle().size() >= 2 ? true : null);
        bundle = Files.writeString(dir.resolve("bundle.pem"), second.trustBundlePem());
    }

    @AfterEach
    void stop() {
        agents.forEach(RunningAgent::close);
        if (first != null) {
            first.close();
        }
        if (second != null) {
            second.close();
        }
        TestPostgres.dropSchema(SCHEMA);
    }

    private RunningAgent agentOn(TestServer replica, String name) throws Exception {
        RunningAgent agent = RunningAgent.start(AgentConfig.builder()
                .trustDomain(replica.trustDomain().name())
                .serverAddress("127.0.0.1:" + replica.agentApiPort())
                .socketPath(dir.resolve(name + "/sock/api.sock"))
                .trustBundle(bundle)
                .dataDir(dir.resolve(name + "/data"))
                .joinToken(replica.generateJoinToken(Duration.ofMinutes(10), Optional.empty()))
                .build());
        agents.add(agent);
        assertThat(agent.awaitSynced(WAIT)).isTrue();
        return agent;
    }

    private static boolean issued(RunningAgent agent, String entryId) {
        return agent.issuedBatches().stream().anyMatch(b -> b.entryIds().contains(entryId));
    }

    @Test
    void anEntryCreatedOnOneReplica_reachesAnAgentOfTheOther_withinASecond() throws Exception {
        RunningAgent agent = agentOn(first, "agent");
        List<Long> millis = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            RegistrationEntry entry = second.createEntry(
                    SpiffeId.parse("spiffe://" + second.trustDomain().name() + "/replicas/w" + i),
                    agent.agentId(),
                    SelectorSet.of(Selector.parse("unix:uid:" + (UNUSED_UID + i))),
                    Duration.ZERO);
            long created = System.nanoTime();
            Poll.until("entry " + i + " at the agent", WAIT, () -> issued(agent, entry.id()) ? true : null);
            millis.add((System.nanoTime() - created) / 1_000_000);
        }
        assertThat(Collections.max(millis))
                .as("create on the second replica → SVID issued by the agent of the first, ms: %s", millis)
                .isLessThan(PROPAGATION.toMillis());
    }

    @Test
    void aJoinTokenUsedOnOneReplica_isRefusedByTheOther() throws Exception {
        String token = first.generateJoinToken(Duration.ofMinutes(10), Optional.empty());
        try (AgentApiClient toFirst = new AgentApiClient(first);
                AgentApiClient toSecond = new AgentApiClient(second)) {
            assertThat(toFirst.attest(token).id().toString()).contains("/meshca/agent/join_token/");
            assertThatThrownBy(() -> toSecond.attest(token))
                    .isInstanceOfSatisfying(
                            StatusRuntimeException.class,
                            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED));
        }
    }

    /**
     * The second replica's agent holds an SVID of the second replica's CA; that CA is rotated out (OLD)
     * on the second replica and tainted through the first: the agent re-issues under the new CA.
     */
    @Test
    void aTaintOnOneReplica_reissuesTheSvidsOfTheOthersAgents() throws Exception {
        RunningAgent agent = agentOn(second, "agent");
        int uid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        second.createEntry(
                SpiffeId.parse("spiffe://" + second.trustDomain().name() + "/replicas/tainted"),
                agent.agentId(),
                SelectorSet.of(Selector.parse("unix:uid:" + uid)),
                Duration.ZERO);
        FetchedX509Svid before = Poll.until("a workload SVID", WAIT, agent::firstSvidOrNull);
        LocalX509Authority signer = second.admin().x509Authorities().stream()
                .filter(a -> signs(a.certificate(), before.leaf()))
                .findFirst()
                .orElseThrow();

        LocalX509Authority prepared = second.admin().prepareX509Authority();
        second.admin().activateX509Authority(prepared.authorityId());
        first.admin().taintX509Authority(signer.authorityId());

        Poll.until(
                "a re-issue of the tainted SVIDs",
                WAIT,
                () -> agent.issuedBatches().stream().anyMatch(IssuedBatch::replacedTainted) ? true : null);
        FetchedX509Svid after = Poll.until("the workload SVID signed by the new CA", WAIT, () -> {
            FetchedX509Svid now = agent.firstSvidOrNull();
            return now != null && signs(prepared.certificate(), now.leaf()) ? now : null;
        });
        assertThat(after.spiffeId()).isEqualTo(before.spiffeId());
    }

    private static boolean signs(X509Certificate ca, X509Certificate leaf) {
        try {
            leaf.verify(ca.getPublicKey());
            return true;
        } catch (Exception e) {
            return false;
        }
    }
}
