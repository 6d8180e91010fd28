package io.meshca.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jwt.JWTClaimsSet;
import io.meshca.agent.config.AgentConfig;
import io.meshca.agent.testing.FetchedX509Svid;
import io.meshca.agent.testing.Poll;
import io.meshca.agent.testing.RunningAgent;
import io.meshca.common.error.MeshcaException;
import io.meshca.common.plugin.PluginsConfig;
import io.meshca.common.spiffe.Selector;
import io.meshca.common.spiffe.SelectorSet;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.server.k8s.TestTokenIssuer;
import io.meshca.server.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent attesting to a real ca-server with a projected service-account token from a file: the
 * server verifies it with the cluster issuer's JWKS and names the agent after the node.
 */
class K8sPsatEndToEndTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String ISSUER = "https://kubernetes.default.svc.cluster.local";
    private static final String NODE_UID = "0f9e8d7c-6b5a-4938-8271-605f4e3d2c1b";

    @TempDir
    Path dir;

    private final TestTokenIssuer cluster = new TestTokenIssuer(ISSUER, "k8s-1");
    private TestServer server;
    private Path trustBundle;
    private RunningAgent agent;

    @BeforeEach
    void startServer() throws Exception {
        Path jwks = cluster.writeJwks(dir.resolve("jwks.json"));
        server = TestServer.start(TestServer.config(dir.resolve("server"))
                .plugins(PluginsConfig.of(Map.of(
                        "nodeAttestor",
                        Map.of(
                                "k8s_psat",
                                Map.of(
                                        "cluster",
                                        "prod",
                                        "issuer",
                                        ISSUER,
                                        "jwksFile",
                                        jwks.toString(),
                                        "serviceAccountAllowList",
                                        List.of("meshca-system:meshca-agent"))))))
                .build());
        trustBundle = Files.writeString(dir.resolve("bundle.pem"), server.trustBundlePem());
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

    private AgentConfig config(String dataDir, Path tokenFile) {
        return AgentConfig.builder()
                .trustDomain(server.trustDomain().name())
                .serverAddress("127.0.0.1")
                .serverPort(server.agentApiPort())
                .socketPath(dir.resolve("sock/api.sock"))
                .trustBundle(trustBundle)
                .dataDir(dir.resolve(dataDir))
                .plugins(PluginsConfig.of(
                        Map.of("nodeAttestor", Map.of("k8s_psat", Map.of("tokenPath", tokenFile.toString())))))
                .build();
    }

    private Path tokenFile(String name, String serviceAccount) throws Exception {
        Instant now = Instant.now();
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
                .issuer(ISSUER)
                .audience("meshca-server")
                .subject("system:serviceaccount:meshca-system:" + serviceAccount)
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(Duration.ofMinutes(10))))
                .claim(
                        "kubernetes.io",
                        Map.of(
                                "namespace", "meshca-system",
                                "node", Map.of("name", "node-a", "uid", NODE_UID),
                                "pod",
                                        Map.of(
                                                "name",
                                                "meshca-agent-x7k2p",
                                                "uid",
                                                "3c1f4a0e-9b2d-4e6f-8a7b-1c2d3e4f5a6b"),
                                "serviceaccount",
                                        Map.of("name", serviceAccount, "uid", "5b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e")));
        return Files.writeString(dir.resolve(name), cluster.sign(claims));
    }

    @Test
    void agentAttestsWithItsToken_servesWorkloads_andAttestsAgainWithTheSameToken() throws Exception {
        Path token = tokenFile("token", "meshca-agent");
        agent = RunningAgent.start(config("agent", token));
        assertThat(agent.awaitSynced(WAIT)).isTrue();
        SpiffeId agentId = agent.agentId();
        assertThat(agentId.toString())
                .isEqualTo("spiffe://" + server.trustDomain().name() + "/meshca/agent/k8s_psat/prod/" + NODE_UID);

        int uid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        SpiffeId workloadId = SpiffeId.parse("spiffe://" + server.trustDomain().name() + "/e2e/workload");
        server.createEntry(
                workloadId, agentId, SelectorSet.of(Selector.parse("unix:uid:" + uid)), Duration.ofMinutes(5));
        FetchedX509Svid svid = Poll.until("an SVID for the test JVM's uid", WAIT, () -> agent.firstSvidOrNull());
        assertThat(svid.spiffeId()).isEqualTo(workloadId);
        agent.close();

        // a fresh data dir: the agent bootstraps again by itself, with the same token and agent ID
        agent = RunningAgent.start(config("agent-again", token));
        assertThat(agent.awaitSynced(WAIT)).isTrue();
        assertThat(agent.agentId()).isEqualTo(agentId);
    }

    @Test
    void aNodeAliasOfTheCluster_parentsEntriesThatEveryNodesAgentServes() throws Exception {
        agent = RunningAgent.start(config("agent", tokenFile("token", "meshca-agent")));
        assertThat(agent.awaitSynced(WAIT)).isTrue();
        String td = server.trustDomain().name();
        SpiffeId alias = SpiffeId.parse("spiffe://" + td + "/meshca/nodes/prod");
        server.createEntry(
                alias, server.serverId(), SelectorSet.of(Selector.parse("k8s_psat:cluster:prod")), Duration.ZERO);
        int uid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        SpiffeId workloadId = SpiffeId.parse("spiffe://" + td + "/e2e/aliased");

        server.createEntry(workloadId, alias, SelectorSet.of(Selector.parse("unix:uid:" + uid)), Duration.ofMinutes(5));

        FetchedX509Svid svid =
                Poll.until("an SVID of the entry parented to the alias", WAIT, () -> agent.firstSvidOrNull());
        assertThat(svid.spiffeId()).isEqualTo(workloadId);
    }

    @Test
    void aServiceAccountNotAllowed_isRefused_withoutTheReason() throws Exception {
        Path token = tokenFile("token", "default");

        assertThatThrownBy(() -> NodeAgent.start(config("refused", token)))
                .isInstanceOf(MeshcaException.class)
                .hasMessageContaining("k8s_psat attestation refused")
                .hasMessageNotContaining("serviceAccountAllowList");
    }
}
