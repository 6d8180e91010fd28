package io.meshca.agent.attestation.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshca.agent.config.AgentConfig;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The built-in {@code join_token} node attestor: the token of the {@code joinToken} setting is the evidence. */
class JoinTokenAttestorContractTest extends NodeAttestorContractTest {

    @Override
    protected String pluginName() {
        return "join_token";
    }

    @Override
    protected AgentConfig.Builder configWithEvidence() {
        return AgentConfig.builder().joinToken("tok-123");
    }

    @Test
    void evidence_isTheJoinTokenAsUtf8() {
        assertThat(attestor().payload())
                .hasValueSatisfying(payload ->
                        assertThat(new String(payload, StandardCharsets.UTF_8)).isEqualTo("tok-123"));
    }

    @Test
    void withoutAToken_thereIsNoEvidence() {
        assertThat(load(AgentConfig.builder(), Map.of()).payload()).isEmpty();
    }
}
