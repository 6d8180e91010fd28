package io.meshca.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshca.agent.config.AgentConfig;
import io.meshca.agent.testing.FetchedX509Svid;
import io.meshca.agent.testing.Poll;
import io.meshca.agent.testing.RunningAgent;
import io.meshca.common.spiffe.Selector;
import io.meshca.common.spiffe.SelectorSet;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.server.testing.TcpProxy;
import io.meshca.server.testing.TestPostgres;
import io.meshca.server.testing.TestServer;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real server on PostgreSQL (MESHCA_TEST_POSTGRES_URL; skipped when unset) reached through a proxy
 * that cuts it off, and a real agent: through an outage longer than both the workload SVID's and the
 * agent SVID's lifetime, the agent keeps renewing both from the server's memory, and the workload
 * always holds a valid SVID. After the database is back, the server takes writes again by itself.
 */
class IssuanceDuringDatabaseOutagePostgresTest {

    private static final String SCHEMA = "meshca_issuance_outage";
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Duration WORKLOAD_SVID_TTL = Duration.ofSeconds(4);
    private static final Duration AGENT_SVID_TTL = Duration.ofSeconds(6);
    /** Longer than both lifetimes: nothing issued before the cut is still valid at its end. */
    private static final Duration OUTAGE = Duration.ofSeconds(14);

    @TempDir
    Path dir;

    private TcpProxy proxy;
    private TestServer server;
    private RunningAgent agent;

    @BeforeAll
    static void requirePostgres() {
        TestPostgres.require("issuance through a database outage");
    }

    @AfterEach
    void stop() {
        if (agent != null) {
            agent.close();
        }
        if (server != null) {
            server.close();
        }
        if (proxy != null) {
            proxy.close();
        }
        TestPostgres.dropSchema(SCHEMA);
    }

    @Test
    void theAgentAndItsWorkloadKeepValidSvids_throughAnOutageLongerThanTheirLifetimes() throws Exception {
        String url = TestPostgres.freshSchema(SCHEMA);
        proxy = TcpProxy.toDatabase(url);
        server = TestServer.start(TestServer.config(dir.resolve("server"))
                .databaseUrl(proxy.jdbcUrl(url))
                .agentSvidTtl(AGENT_SVID_TTL)
                .build());
        agent = RunningAgent.start(AgentConfig.builder()
                .trustDomain(server.trustDomain().name())
                .serverAddress("127.0.0.1:" + server.agentApiPort())
                .socketPath(dir.resolve("agent/sock/api.sock"))
                .trustBundle(Files.writeString(dir.resolve("bundle.pem"), server.trustBundlePem()))
                .dataDir(dir.resolve("agent/data"))
                .joinToken(server.generateJoinToken(Duration.ofMinutes(10), Optional.empty()))
                .build());
        assertThat(agent.awaitSynced(WAIT)).isTrue();
        int uid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        SpiffeId workload = SpiffeId.parse("spiffe://" + server.trustDomain().name() + "/outage/workload");
        server.createEntry(
                workload, agent.agentId(), SelectorSet.of(Selector.parse("unix:uid:" + uid)), WORKLOAD_SVID_TTL);
        Poll.until("a workload SVID", WAIT, agent::firstSvidOrNull);

        proxy.cut();
        Instant cut = Instant.now();
        Set<BigInteger> workloadSerials = new LinkedHashSet<>();
        Set<BigInteger> agentSerials = new LinkedHashSet<>();
        while (Instant.now().isBefore(cut.plus(OUTAGE))) {
            FetchedX509Svid svid = agent.firstSvidOrNull();
            Instant now = Instant.now();
            assertThat(svid)
                    .as("the workload's SVID at %s into the outage", Duration.between(cut, now))
                    .isNotNull();
            assertThat(svid.leaf().getNotAfter().toInstant()).isAfter(now);
            workloadSerials.add(svid.leaf().getSerialNumber());
            assertThat(agent.agentSvid().leaf().getNotAfter().toInstant()).isAfter(now);
            agentSerials.add(agent.agentSvid().leaf().getSerialNumber());
            Thread.sleep(250);
        }
        // Renewed during the outage, more than once each: by the server, from memory.
        assertThat(workloadSerials).hasSizeGreaterThanOrEqualTo(3);
        assertThat(agentSerials).hasSizeGreaterThanOrEqualTo(2);

        proxy.resume();
        SpiffeId after = SpiffeId.parse("spiffe://" + server.trustDomain().name() + "/outage/after");
        Poll.until("an admin write once the database is back", WAIT, () -> {
            try {
                return server.createEntry(
                        after, agent.agentId(), SelectorSet.of(Selector.parse("unix:uid:1")), Duration.ZERO);
            } catch (RuntimeException stillAway) {
                return null;
            }
        });
    }
}
