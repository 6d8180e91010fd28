package io.meshca.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshca.agent.config.AgentConfig;
import io.meshca.agent.testing.FakeMetadataService;
import io.meshca.agent.testing.RunningAgent;
import io.meshca.common.error.MeshcaException;
import io.meshca.common.plugin.PluginsConfig;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.server.aws.TestAwsIdentity;
import io.meshca.server.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent attesting to a real ca-server with the identity document of its "EC2 instance", read from a
 * fake metadata service: the server verifies AWS's signature and names the agent after the instance,
 * once (trust on first use).
 */
class AwsIidEndToEndTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String INSTANCE = "i-0b22a22eec53b9321";

    @TempDir
    Path dir;

    private final TestAwsIdentity aws = new TestAwsIdentity(4242);
    private final String document = TestAwsIdentity.document(TestAwsIdentity.ACCOUNT, INSTANCE, Instant.now());
    private final FakeMetadataService imds =
            new FakeMetadataService(() -> document, () -> aws.sign(document), () -> "unused");
    private TestServer server;
    private Path trustBundle;
    private RunningAgent agent;

    @BeforeEach
    void startServer() throws Exception {
        Path certificate = aws.writeCertificate(dir.resolve("aws.pem"));
        server = TestServer.start(TestServer.config(dir.resolve("server"))
                .plugins(PluginsConfig.of(Map.of(
                        "nodeAttestor",
                        Map.of(
                                "aws_iid",
                                Map.of(
                                        "awsCertificatePath",
                                        certificate.toString(),
                                        "accountAllowList",
                                        List.of(TestAwsIdentity.ACCOUNT),
                                        "maxDocumentAge",
                                        "10m")))))
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
        imds.close();
    }

    private AgentConfig config(String dataDir) {
        return AgentConfig.builder()
                .trustDomain(server.trustDomain().name())
                .serverAddress("127.0.0.1")
                .serverPort(server.agentApiPort())
                .socketPath(dir.resolve("sock/api.sock"))
                .trustBundle(trustBundle)
                .dataDir(dir.resolve(dataDir))
                .plugins(PluginsConfig.of(Map.of("nodeAttestor", Map.of("aws_iid", Map.of("metadataUrl", imds.url())))))
                .build();
    }

    @Test
    void agentAttestsAsItsInstance_andTheSameDocumentIsRefusedTheSecondTime() throws Exception {
        agent = RunningAgent.start(config("agent"));
        assertThat(agent.awaitSynced(WAIT)).isTrue();
        SpiffeId agentId = agent.agentId();
        assertThat(agentId.toString())
                .isEqualTo("spiffe://" + server.trustDomain().name() + "/meshca/agent/aws_iid/"
                        + TestAwsIdentity.ACCOUNT + "/" + TestAwsIdentity.REGION + "/" + INSTANCE);
        assertThat(imds.requests())
                .extracting(FakeMetadataService.Request::path)
                .contains("/latest/api/token");
        agent.close();
        agent = null;

        // a fresh data dir: the instance is on record, so its document no longer attests (TOFU)
        assertThatThrownBy(() -> NodeAgent.start(config("agent-again")))
                .isInstanceOf(MeshcaException.class)
                .hasMessageContaining("aws_iid attestation refused")
                .hasMessageNotContaining("already attested");
    }
}
