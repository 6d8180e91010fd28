package io.meshca.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshca.agent.config.AgentConfig;
import io.meshca.agent.testing.FetchedX509Svid;
import io.meshca.agent.testing.Poll;
import io.meshca.agent.testing.RunningAgent;
import io.meshca.common.spiffe.Selector;
import io.meshca.common.spiffe.SelectorSet;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.server.config.ServerConfig;
import io.meshca.server.testing.TestServer;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent against a real ca-server that goes away and comes back on the same data dir and port, as
 * after a crash or an upgrade: fresh SVIDs must flow within 5 s of the server being back, whatever the
 * agent's retry loops went through meanwhile.
 */
class ServerOutageEndToEndTest {

    private static final Logger log = LoggerFactory.getLogger(ServerOutageEndToEndTest.class);
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Duration REQUIRED = Duration.ofSeconds(5);

    @TempDir
    Path dir;

    private TestServer server;
    private RunningAgent agent;

    @AfterEach
    void stop() {
        if (agent != null) {
            agent.close();
        }
        if (server != null) {
            server.close();
        }
    }

    /** Disk keys, so that a server restarted on the same dir is the same CA. */
    private ServerConfig serverConfig(int port) {
        return TestServer.config(dir.resolve("server"))
                .keyManager(ServerConfig.KEY_MANAGER_DISK)
                .serverPort(port)
                .build();
    }

    @Test
    void afterAnOutage_freshSvidsFlowWithinFiveSecondsOfTheServerBeingBack() throws Exception {
        server = TestServer.start(serverConfig(0));
        int port = server.agentApiPort();
        Path trustBundle = dir.resolve("bundle.pem");
        Files.writeString(trustBundle, server.trustBundlePem());
        agent = RunningAgent.start(AgentConfig.builder()
                .trustDomain(server.trustDomain().name())
                .serverAddress("127.0.0.1")
                .serverPort(port)
                .socketPath(dir.resolve("sock/api.sock"))
                .trustBundle(trustBundle)
                .dataDir(dir.resolve("agent"))
                .joinToken(server.generateJoinToken(Duration.ofMinutes(10), Optional.empty()))
                .build());
        assertThat(agent.awaitSynced(WAIT)).isTrue();
        int uid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        SelectorSet me = SelectorSet.of(Selector.parse("unix:uid:" + uid));
        SpiffeId workloadId = SpiffeId.parse("spiffe://" + server.trustDomain().name() + "/e2e/outage");
        // short-lived, so that its renewal falls due during the outage
        String entryId = server.createEntry(workloadId, agent.agentId(), me, Duration.ofSeconds(20))
                .id();
        BigInteger before = Poll.until("the first SVID", WAIT, () -> agent.firstSvidOrNull())
                .leaf()
                .getSerialNumber();

        server.close();
        server = null;
        // long enough for the renewal (due at ~10 s) to fail and the watch's retries to reach their cap
        Thread.sleep(Duration.ofSeconds(12).toMillis());
        server = TestServer.start(serverConfig(port));
        Instant back = Instant.now();
        // an entry created at once reaches the agent only through the watch, which must reconnect first
        SpiffeId lateId = SpiffeId.parse("spiffe://" + server.trustDomain().name() + "/e2e/after-outage");
        server.createEntry(lateId, agent.agentId(), me, Duration.ofMinutes(5));

        FetchedX509Svid fresh = Poll.until("a fresh SVID after the outage", WAIT, () -> {
            FetchedX509Svid current = agent.firstSvidOrNull();
            return current != null && !current.leaf().getSerialNumber().equals(before) ? current : null;
        });
        Duration renewed = Duration.between(back, Instant.now());
        Poll.until(
                "the SVID of an entry created as the server came back",
                WAIT,
                () -> agent.fetchX509Svid().getSvidsList().stream()
                                .anyMatch(svid -> svid.getSpiffeId().equals(lateId.toString()))
                        ? true
                        : null);
        Duration synced = Duration.between(back, Instant.now());
        log.info(
                "outage recovery: fresh SVID {} ms, new entry's SVID {} ms after the server was back",
                renewed.toMillis(),
                synced.toMillis());

        assertThat(fresh.spiffeId()).isEqualTo(workloadId);
        // a starter of the agent is told of both issuances, the first and the renewal
        Poll.until(
                "the renewal reported as an event",
                WAIT,
                () -> agent.issuedBatches().stream()
                                        .filter(batch -> batch.entryIds().contains(entryId))
                                        .count()
                                >= 2
                        ? true
                        : null);
        assertThat(renewed).isLessThan(REQUIRED);
        assertThat(synced).isLessThan(REQUIRED);
    }
}
