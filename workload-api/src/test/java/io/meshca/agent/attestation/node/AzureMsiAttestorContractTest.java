package io.meshca.agent.attestation.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.meshca.agent.config.AgentConfig;
import io.meshca.agent.testing.FakeMetadataService;
import io.meshca.common.error.FailedPreconditionException;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The built-in {@code azure_msi} node attestor, against a fake Azure metadata service on 127.0.0.1. */
class AzureMsiAttestorContractTest extends NodeAttestorContractTest {

    private static final String TOKEN =
            "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJodHRwczovL21hbmFnZW1lbnQifQ.c2ln";

    private String served = TOKEN;
    private final FakeMetadataService imds = new FakeMetadataService(() -> "", () -> "", () -> served);

    @AfterEach
    void stop() {
        imds.close();
    }

    @Override
    protected String pluginName() {
        return "azure_msi";
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
    void theEvidence_isTheManagedIdentitysToken_forTheDefaultResource() throws Exception {
        byte[] payload = attestor().payload().orElseThrow();

        assertThat(new ObjectMapper().readTree(payload).get("token").asText()).isEqualTo(TOKEN);
        FakeMetadataService.Request request = imds.requests().get(0);
        assertThat(request.method()).isEqualTo("GET");
        assertThat(request.path()).isEqualTo("/metadata/identity/oauth2/token");
        assertThat(request.query()).isEqualTo("api-version=2018-02-01&resource=https%3A%2F%2Fmanagement.azure.com%2F");
        assertThat(request.header("Metadata")).isEqualTo("true");
        assertThat(attestor().canReattest())
                .as("the server trusts on first use by default")
                .isFalse();
    }

    @Test
    void canReattest_followsTheSetting_forAServerThatAllowsReattestation() {
        assertThat(load(configWithEvidence(), Map.of("metadataUrl", imds.url(), "canReattest", true))
                        .canReattest())
                .isTrue();
    }

    @Test
    void aConfiguredResource_isAskedFor() {
        load(configWithEvidence(), Map.of("metadataUrl", imds.url(), "resource", "api://meshca-agents"))
                .payload();

        assertThat(imds.requests().get(0).query()).endsWith("&resource=api%3A%2F%2Fmeshca-agents");
    }

    @Test
    void anAnswerWithoutAToken_isAFailedPrecondition() {
        served = "";

        assertThatThrownBy(() -> attestor().payload())
                .isInstanceOf(FailedPreconditionException.class)
                .hasMessage("the Azure instance metadata service at " + imds.url()
                        + " answered without an access_token (has the VM a managed identity?)");
    }
}
