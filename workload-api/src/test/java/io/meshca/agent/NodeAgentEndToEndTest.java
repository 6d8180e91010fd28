package io.meshca.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import io.meshca.agent.cache.IssuedSvid;
import io.meshca.agent.cache.X509Snapshot;
import io.meshca.agent.config.AgentConfig;
import io.meshca.agent.storage.AgentSvidStore;
import io.meshca.common.error.MeshcaException;
import io.meshca.common.grpc.UnixSockets;
import io.meshca.common.pki.Certificates;
import io.meshca.common.spiffe.Selector;
import io.meshca.common.spiffe.SelectorSet;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.proto.workload.SpiffeWorkloadAPIGrpc;
import io.meshca.proto.workload.X509SVIDRequest;
import io.meshca.proto.workload.X509SVIDResponse;
import io.meshca.server.config.ServerConfig;
import io.meshca.server.server.CaServer;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent against a real ca-server on real sockets: join-token attestation, the watch, workload SVID
 * issuance and rotation, the Workload API on the unix socket, restart from the data dir, token reuse.
 */
class NodeAgentEndToEndTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Metadata.Key<String> WORKLOAD_HEADER =
            Metadata.Key.of("workload.spiffe.io", Metadata.ASCII_STRING_MARSHALLER);

    @TempDir
    Path dir;

    private CaServer server;
    private Path trustBundle;
    private NodeAgent agent;

    @BeforeEach
    void startServer() throws Exception {
        server = CaServer.start(ServerConfig.builder()
                .dataDir(dir.resolve("server"))
                .bindAddress("127.0.0.1")
                .serverPort(0)
                .adminSocketPath(dir.resolve("admin/api.sock"))
                .keyManager(ServerConfig.KEY_MANAGER_MEMORY)
                .build());
        trustBundle = dir.resolve("bundle.pem");
        Files.writeString(trustBundle, server.trustBundlePem());
    }

    @AfterEach
    void stop() {
        if (agent != null) {
            agent.close();
        }
        server.close();
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
        agent = NodeAgent.start(config("agent").joinToken(token).build());
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

        IssuedSvid first = await("an SVID for the test JVM's uid", () -> firstSvid(agent, me));
        assertThat(first.spiffeId()).isEqualTo(workloadId);
        assertThat(Certificates.spiffeId(first.leaf())).contains(workloadId);

        // the same SVID reaches a workload over the Workload API socket
        X509SVIDResponse fetched = fetchOverSocket(agent.socketPath());
        assertThat(fetched.getSvids(0).getSpiffeId()).isEqualTo(workloadId.toString());

        // a 10 s SVID is renewed at about half-life, with a new serial
        BigInteger firstSerial = first.leaf().getSerialNumber();
        IssuedSvid rotated = await("a rotated SVID", () -> {
            IssuedSvid current = firstSvid(agent, me);
            return current != null && !current.leaf().getSerialNumber().equals(firstSerial) ? current : null;
        });
        assertThat(rotated.spiffeId()).isEqualTo(workloadId);

        // restart with the same data dir and no token: the stored agent SVID is reused
        agent.close();
        assertThat(agent.socketPath()).doesNotExist();
        agent = NodeAgent.start(config("agent").build());
        assertThat(agent.awaitSynced(WAIT)).isTrue();
        IssuedSvid afterRestart = await("an SVID after the restart", () -> firstSvid(agent, me));
        assertThat(afterRestart.spiffeId()).isEqualTo(workloadId);
        assertThat(fetchOverSocket(agent.socketPath()).getSvids(0).getSpiffeId())
                .isEqualTo(workloadId.toString());
    }

    @Test
    void agentSvid_isRenewedAtHalfLife_andTheAgentKeepsWorkingPastItsFirstSvidsExpiry() throws Exception {
        server.close();
        Duration agentTtl = Duration.ofSeconds(8);
        server = CaServer.start(ServerConfig.builder()
                .dataDir(dir.resolve("server2"))
                .bindAddress("127.0.0.1")
                .serverPort(0)
                .adminSocketPath(dir.resolve("admin2/api.sock"))
                .keyManager(ServerConfig.KEY_MANAGER_MEMORY)
                .agentSvidTtl(agentTtl)
                .build());
        Files.writeString(trustBundle, server.trustBundlePem());
        agent = NodeAgent.start(config("agent")
                .joinToken(server.generateJoinToken(Duration.ofMinutes(10), Optional.empty()))
                .build());
        assertThat(agent.awaitSynced(WAIT)).isTrue();
        var firstAgentSvid = agent.agentSvid();

        await(
                "the first agent SVID to expire",
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
        assertThat(await("an SVID signed after the agent SVID renewal", () -> firstSvid(agent, me))
                        .spiffeId())
                .isEqualTo(workloadId);
    }

    @Test
    void reusedJoinToken_isRefusedWithAClearMessage() {
        String token = server.generateJoinToken(Duration.ofMinutes(10), Optional.empty());
        agent = NodeAgent.start(config("first").joinToken(token).build());
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

    private static IssuedSvid firstSvid(NodeAgent agent, SelectorSet selectors) {
        X509Snapshot snapshot = agent.identitySource().snapshot(selectors);
        return snapshot.isEmpty() ? null : snapshot.svids().get(0);
    }

    private static X509SVIDResponse fetchOverSocket(Path socket) {
        ManagedChannel channel = UnixSockets.channel(socket);
        try {
            Metadata header = new Metadata();
            header.put(WORKLOAD_HEADER, "true");
            return SpiffeWorkloadAPIGrpc.newBlockingStub(channel)
                    .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(header))
                    .withDeadlineAfter(WAIT.toSeconds(), TimeUnit.SECONDS)
                    .fetchX509SVID(X509SVIDRequest.getDefaultInstance())
                    .next();
        } finally {
            UnixSockets.shutdown(channel);
        }
    }

    /** Polls a condition on real time (the agent runs on real sockets and the system clock) until a deadline. */
    private static <T> T await(String what, Supplier<T> probe) throws InterruptedException {
        Instant deadline = Instant.now().plus(WAIT);
        while (Instant.now().isBefore(deadline)) {
            T value = probe.get();
            if (value != null) {
                return value;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("timed out after " + WAIT.toSeconds() + "s waiting for " + what);
    }
}
