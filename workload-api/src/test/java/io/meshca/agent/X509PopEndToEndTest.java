package io.meshca.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshca.agent.attestation.node.AgentIdentityBootstrap;
import io.meshca.agent.attestation.node.X509PopAttestor;
import io.meshca.agent.client.ServerClient;
import io.meshca.agent.config.AgentConfig;
import io.meshca.agent.testing.FetchedX509Svid;
import io.meshca.agent.testing.Poll;
import io.meshca.agent.testing.RunningAgent;
import io.meshca.common.error.MeshcaException;
import io.meshca.common.pki.Pem;
import io.meshca.common.plugin.PluginConfig;
import io.meshca.common.plugin.PluginsConfig;
import io.meshca.common.spiffe.Selector;
import io.meshca.common.spiffe.SelectorSet;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.server.testing.NodeCertificates;
import io.meshca.server.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent attesting to a real ca-server with a node certificate from the operator's own PKI: the server
 * checks the chain against its CA bundle, asks the agent to sign a fresh nonce with the node key, and
 * names the agent after the certificate's fingerprint.
 */
class X509PopEndToEndTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private static final NodeCertificates.Ca ROOT = NodeCertificates.root("e2e node root");
    private static final NodeCertificates.Ca INTERMEDIATE = ROOT.intermediate("e2e node intermediate");

    @TempDir
    Path dir;

    private TestServer server;
    private Path trustBundle;
    private RunningAgent agent;

    @BeforeEach
    void startServer() throws Exception {
        Path caBundle =
                Files.writeString(dir.resolve("node-ca.pem"), Pem.encodeCertificates(List.of(ROOT.certificate())));
        server = TestServer.start(TestServer.config(dir.resolve("server"))
                .plugins(PluginsConfig.of(
                        Map.of("nodeAttestor", Map.of("x509pop", Map.of("caBundlePath", caBundle.toString())))))
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

    private Map<String, Object> block(NodeCertificates.Node node, String name) throws Exception {
        Path certificate = Files.writeString(dir.resolve(name + ".pem"), Pem.encodeCertificates(node.chain()));
        Path key = Files.writeString(
                dir.resolve(name + ".key"), Pem.encodePrivateKey(node.key().getPrivate()));
        return Map.of("certificatePath", certificate.toString(), "privateKeyPath", key.toString());
    }

    private AgentConfig config(String dataDir, Map<String, Object> block) {
        return AgentConfig.builder()
                .trustDomain(server.trustDomain().name())
                .serverAddress("127.0.0.1")
                .serverPort(server.agentApiPort())
                .socketPath(dir.resolve("sock/api.sock"))
                .trustBundle(trustBundle)
                .dataDir(dir.resolve(dataDir))
                .plugins(PluginsConfig.of(Map.of("nodeAttestor", Map.of("x509pop", block))))
                .build();
    }

    @Test
    void agentProvesItsNodeKey_servesWorkloads_andAttestsAgain() throws Exception {
        NodeCertificates.Node node = INTERMEDIATE.node("node-1.example.org");
        Map<String, Object> block = block(node, "node");
        agent = RunningAgent.start(config("agent", block));
        assertThat(agent.awaitSynced(WAIT)).isTrue();
        SpiffeId agentId = agent.agentId();
        String fingerprint = HexFormat.of()
                .formatHex(MessageDigest.getInstance("SHA-1")
                        .digest(node.certificate().getEncoded()));
        assertThat(agentId.toString())
                .isEqualTo("spiffe://" + server.trustDomain().name() + "/meshca/agent/x509pop/" + fingerprint);

        int uid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        SpiffeId workloadId = SpiffeId.parse("spiffe://" + server.trustDomain().name() + "/e2e/workload");
        server.createEntry(
                workloadId, agentId, SelectorSet.of(Selector.parse("unix:uid:" + uid)), Duration.ofMinutes(5));
        FetchedX509Svid svid = Poll.until("an SVID for the test JVM's uid", WAIT, () -> agent.firstSvidOrNull());
        assertThat(svid.spiffeId()).isEqualTo(workloadId);
        agent.close();

        // a fresh data dir: the agent proves the same key again and gets the same agent ID
        agent = RunningAgent.start(config("agent-again", block));
        assertThat(agent.awaitSynced(WAIT)).isTrue();
        assertThat(agent.agentId()).isEqualTo(agentId);

        // what a running agent does once its SVID has expired: attest again, answering a new challenge
        AgentConfig config = config("agent-again", block);
        ServerClient.Attested again = AgentIdentityBootstrap.reattest(
                config,
                X509PopAttestor.create(new PluginConfig("plugins.nodeAttestor.x509pop", block)),
                server::trustBundle,
                WAIT);
        assertThat(again.svid().spiffeId()).isEqualTo(agentId);
    }

    @Test
    void aNodeCertificateOfAnotherCa_isRefused_withoutTheReason() throws Exception {
        NodeCertificates.Node intruder = NodeCertificates.root("other root")
                .intermediate("other intermediate")
                .node("intruder");

        assertThatThrownBy(() -> NodeAgent.start(config("refused", block(intruder, "intruder"))))
                .isInstanceOf(MeshcaException.class)
                .hasMessageContaining("x509pop attestation refused")
                .hasMessageNotContaining("chain");
    }
}
