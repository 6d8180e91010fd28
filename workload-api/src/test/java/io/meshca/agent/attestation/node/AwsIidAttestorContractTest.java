package io.meshca.agent.attestation.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meshca.agent.config.AgentConfig;
import io.meshca.agent.testing.FakeMetadataService;
import io.meshca.common.error.FailedPreconditionException;
import io.meshca.common.error.InvalidArgumentException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The built-in {@code aws_iid} node attestor, against a fake IMDSv2 on 127.0.0.1. */
class AwsIidAttestorContractTest extends NodeAttestorContractTest {

    private static final String DOCUMENT =
            "{\n  \"accountId\" : \"123456789012\",\n  \"instanceId\" : \"i-0b22a22eec53b9321\"\n}";
    private static final String RSA2048 = "MIAGCSqGSIb3DQEHAqCAMIACAQExDzANBglghkgBZQMEAgEFADCABgkqhkiG9w0BBwGg\n"
            + "JIAEggHdewogICJhY2NvdW50SWQiIDogIjEyMzQ1Njc4OTAxMiIsCiAgImFyY2hp";

    private final FakeMetadataService imds = new FakeMetadataService(() -> DOCUMENT, () -> RSA2048, () -> "unused");

    @AfterEach
    void stop() {
        imds.close();
    }

    @Override
    protected String pluginName() {
        return "aws_iid";
    }

    @Override
    protected AgentConfig.Builder configWithEvidence() {
        return AgentConfig.builder();
    }

    @Override
    protected Map<String, Object> block() {
        return Map.of("metadataUrl", imds.url());
    }

    @Test
    void theEvidence_isTheDocumentAndSignature_readWithAnImdsV2SessionToken() throws Exception {
        JsonNode evidence = new ObjectMapper().readTree(attestor().payload().orElseThrow());

        assertThat(evidence.get("document").asText()).isEqualTo(DOCUMENT);
        assertThat(evidence.get("rsa2048").asText()).isEqualTo(RSA2048);
        assertThat(evidence.size()).isEqualTo(2);
        var requests = imds.requests();
        assertThat(requests)
                .extracting(FakeMetadataService.Request::method, FakeMetadataService.Request::path)
                .containsExactly(
                        tuple("PUT", "/latest/api/token"),
                        tuple("GET", "/latest/dynamic/instance-identity/document"),
                        tuple("GET", "/latest/dynamic/instance-identity/rsa2048"));
        assertThat(requests.get(0).header("X-aws-ec2-metadata-token-ttl-seconds"))
                .isNotBlank();
        assertThat(requests.get(1).header("X-aws-ec2-metadata-token")).isEqualTo(FakeMetadataService.IMDS_TOKEN);
        assertThat(requests.get(2).header("X-aws-ec2-metadata-token")).isEqualTo(FakeMetadataService.IMDS_TOKEN);
    }

    @Test
    void canReattest_isOffUnlessConfigured_asTheServerRefusesAnInstanceOnRecord() {
        assertThat(attestor().canReattest()).isFalse();
        assertThat(load(configWithEvidence(), Map.of("metadataUrl", imds.url(), "canReattest", true))
                        .canReattest())
                .isTrue();
    }

    @Test
    void noMetadataService_isAFailedPrecondition_namingWhereItLooked() throws Exception {
        String nobody;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            nobody = "http://127.0.0.1:" + s.getLocalPort();
        }
        NodeAttestor attestor = load(configWithEvidence(), Map.of("metadataUrl", nobody));

        assertThatThrownBy(attestor::payload)
                .isInstanceOf(FailedPreconditionException.class)
                .hasMessageStartingWith(
                        "cannot reach the EC2 instance metadata service at " + nobody + " (PUT /latest/api/token");
    }

    @Test
    void aMetadataUrlThatIsNotHttp_isRefusedNamingTheKey() {
        assertThatThrownBy(() -> load(configWithEvidence(), Map.of("metadataUrl", "https://169.254.169.254")))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessage("plugins.nodeAttestor.aws_iid.metadataUrl must be an http:// URL, got"
                        + " \"https://169.254.169.254\"");
    }
}
