package io.meshca.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshca.agent.cli.AgentMain;
import io.meshca.agent.config.AgentConfig;
import io.meshca.agent.storage.AgentSvidStore;
import io.meshca.agent.testing.FetchedX509Svid;
import io.meshca.agent.testing.Poll;
import io.meshca.agent.testing.RunningAgent;
import io.meshca.common.error.MeshcaException;
import io.meshca.common.pki.Certificates;
import io.meshca.common.spiffe.Selector;
import io.meshca.common.spiffe.SelectorSet;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.proto.workload.X509SVIDResponse;
import io.meshca.server.testing.TestServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The agent against a real ca-server on real sockets: join-token attestation, the watch, workload SVID
 * issuance and rotation, the Workload API on the unix socket, restart from the data dir, token reuse,
 * and the healthcheck of an agent whose SVID ran out.
 */
class NodeAgentEndToEndTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private TestServer server;
    private Path trustBundle;
    private RunningAgent agent;

    @BeforeEach
    void startServer() throws Exception {
        server = TestServer.start(dir);
        trustBundle = dir.resolve("bundle.pem");
        Files.writeString(trustBundle, server.trustBundlePem());
    }

    @AfterEach
    void stop() {
        if (agent != null) {
            agent.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private AgentConfig.Builder config(String dataDir) {
        return AgentConfig.builder()
                .trustDomain(server.trustDomain().name())
                .serverAddress("127.0.0.1")
                .serverPort(server.agentApiPort())
                .socketPath(dir.resolve("sock/api.sock"))
                .trustBundle(trustBundle)
                .dataDir(dir.resolve(dataDir));
    }

    @Test
    void attests_servesAndRotatesWorkloadSvids_andRestartsWithoutAToken() throws Exception {
        String token = server.generateJoinToken(Duration.ofMinutes(10), Optional.empty());
        agent = RunningAgent.start(config("agent").joinToken(token).build());
        assertThat(agent.awaitSynced(WAIT)).isTrue();
        assertThat(agent.agentId().path()).startsWith("/meshca/agent/join_token/");
        for (String name : new String[] {AgentSvidStore.KEY_FILE, AgentSvidStore.SVID_FILE}) {
            assertThat(Files.getPosixFilePermissions(dir.resolve("agent").resolve(name)))
                    .extracting(Object::toString)
                    .asString()
                    .doesNotContain("GROUP")
                    .doesNotContain("OTHERS");
        }

        int uid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        SelectorSet me = SelectorSet.of(Selector.parse("unix:uid:" + uid));
        SpiffeId workloadId = SpiffeId.parse("spiffe://" + server.trustDomain().name() + "/e2e/workload");
        server.createEntry(workloadId, agent.agentId(), me, Duration.ofSeconds(10));

        FetchedX509Svid first = Poll.until("an SVID for the test JVM's uid", WAIT, () -> agent.firstSvidOrNull());
        assertThat(first.spiffeId()).isEqualTo(workloadId);
        assertThat(Certificates.spiffeId(first.leaf())).contains(workloadId);

        // the same SVID reaches a workload over the Workload API socket
        X509SVIDResponse fetched = agent.fetchX509Svid();
        assertThat(fetched.getSvids(0).getSpiffeId()).isEqualTo(workloadId.toString());

        // a 10 s SVID is renewed at about half-life, with a new serial
        BigInteger firstSerial = first.leaf().getSerialNumber();
        FetchedX509Svid rotated = Poll.until("a rotated SVID", WAIT, () -> {
            FetchedX509Svid current = agent.firstSvidOrNull();
            return current != null && !current.leaf().getSerialNumber().equals(firstSerial) ? current : null;
        });
        assertThat(rotated.spiffeId()).isEqualTo(workloadId);

        // restart with the same data dir and no token: the stored agent SVID is reused
        agent.close();
        assertThat(agent.socketPath()).doesNotExist();
        agent = RunningAgent.start(config("agent").build());
        assertThat(agent.awaitSynced(WAIT)).isTrue();
        FetchedX509Svid afterRestart = Poll.until("an SVID after the restart", WAIT, () -> agent.firstSvidOrNull());
        assertThat(afterRestart.spiffeId()).isEqualTo(workloadId);
        assertThat(agent.fetchX509Svid().getSvids(0).getSpiffeId()).isEqualTo(workloadId.toString());
    }

    @Test
    void agentSvid_isRenewedAtHalfLife_andTheAgentKeepsWorkingPastItsFirstSvidsExpiry() throws Exception {
        server.close();
        Duration agentTtl = Duration.ofSeconds(8);
        server = TestServer.start(
                TestServer.config(dir.resolve("server2")).agentSvidTtl(agentTtl).build());
        Files.writeString(trustBundle, server.trustBundlePem());
        agent = RunningAgent.start(config("agent")
                .joinToken(server.generateJoinToken(Duration.ofMinutes(10), Optional.empty()))
                .build());
        assertThat(agent.awaitSynced(WAIT)).isTrue();
        var firstAgentSvid = agent.agentSvid();

        Poll.until(
                "the first agent SVID to expire",
                WAIT,
                () -> Instant.now().isAfter(firstAgentSvid.notAfter().plusSeconds(1)) ? true : null);
        assertThat(agent.agentSvid().serial()).isNotEqualTo(firstAgentSvid.serial());
        assertThat(new AgentSvidStore(dir.resolve("agent"), server.trustDomain())
                        .load()
                        .orElseThrow()
                        .svid()
                        .serial())
                .isEqualTo(agent.agentSvid().serial());

        // signing needs a call authenticated by an unexpired agent SVID: the renewed one
        int uid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        SelectorSet me = SelectorSet.of(Selector.parse("unix:uid:" + uid));
        SpiffeId workloadId = SpiffeId.parse("spiffe://" + server.trustDomain().name() + "/e2e/late");
        server.createEntry(workloadId, agent.agentId(), me, Duration.ofMinutes(5));
        assertThat(Poll.until("an SVID signed after the agent SVID renewal", WAIT, () -> agent.firstSvidOrNull())
                        .spiffeId())
                .isEqualTo(workloadId);
    }

    @Test
    void agentSvidThatExpires_makesTheHealthcheckFailSayingWhy() throws Exception {
        server.close();
        server = TestServer.start(TestServer.config(dir.resolve("server2"))
                .agentSvidTtl(Duration.ofSeconds(8))
                .build());
        Files.writeString(trustBundle, server.trustBundlePem());
        agent = RunningAgent.start(config("agent")
                .joinToken(server.generateJoinToken(Duration.ofMinutes(10), Optional.empty()))
                .build());
        assertThat(agent.awaitSynced(WAIT)).isTrue();
        StringWriter out = new StringWriter();
        assertThat(healthcheck(out, new StringWriter())).isZero();
        assertThat(out.toString()).isEqualTo("Agent is healthy.\n");

        // with the server gone the agent cannot renew: its SVID runs out
        server.close();
        server = null;
        Instant notAfter = agent.agentSvid().notAfter();
        Poll.until("the agent SVID to expire", WAIT, () -> Instant.now().isAfter(notAfter) ? true : null);

        StringWriter err = new StringWriter();
        int exit = Poll.until("an unhealthy answer", Duration.ofSeconds(5), () -> {
            int code = healthcheck(new StringWriter(), err);
            return code == 0 ? null : code;
        });
        assertThat(exit).isEqualTo(1);
        assertThat(err.toString()).startsWith("Agent is unhealthy: ").contains("no valid agent SVID");
    }

    @Test
    void reusedJoinToken_isRefusedWithAClearMessage() {
        String token = server.generateJoinToken(Duration.ofMinutes(10), Optional.empty());
        agent = RunningAgent.start(config("first").joinToken(token).build());
        agent.close();
        agent = null;

        assertThatThrownBy(
                        () -> NodeAgent.start(config("second").joinToken(token).build()))
                .isInstanceOf(MeshcaException.class)
                .hasMessageContaining("join token was already used")
                .hasMessageNotContaining(token);
        assertThat(dir.resolve("second").resolve(AgentSvidStore.KEY_FILE)).doesNotExist();
    }

    @Test
    void noStoredSvidAndNoToken_saysATokenIsNeeded() {
        assertThatThrownBy(() -> NodeAgent.start(config("empty").build()))
                .isInstanceOf(MeshcaException.class)
                .hasMessageContaining("no join token");
    }

    private int healthcheck(StringWriter out, StringWriter err) {
        CommandLine commandLine = AgentMain.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        return commandLine.execute(
                "healthcheck", "-socketPath", agent.socketPath().toString());
    }
}
