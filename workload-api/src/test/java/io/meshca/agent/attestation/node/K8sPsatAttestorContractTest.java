package io.meshca.agent.attestation.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshca.agent.config.AgentConfig;
import io.meshca.common.error.FailedPreconditionException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The built-in {@code k8s_psat} node attestor: the projected token in its file is the evidence. */
class K8sPsatAttestorContractTest extends NodeAttestorContractTest {

    @TempDir
    Path dir;

    private Path tokenFile() {
        return dir.resolve("token");
    }

    @Override
    protected String pluginName() {
        return "k8s_psat";
    }

    @Override
    protected AgentConfig.Builder configWithEvidence() {
        write("eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJrOHMifQ.c2ln\n");
        return AgentConfig.builder();
    }

    @Override
    protected Map<String, Object> block() {
        return Map.of("tokenPath", tokenFile().toString());
    }

    @Test
    void theFileIsReadForEveryAttestation_soARefreshedTokenIsSent() {
        NodeAttestor attestor = attestor();
        write("first.token.sig");
        assertThat(new String(attestor.payload().orElseThrow(), StandardCharsets.UTF_8))
                .isEqualTo("first.token.sig");

        write("second.token.sig\n");

        assertThat(new String(attestor.payload().orElseThrow(), StandardCharsets.UTF_8))
                .isEqualTo("second.token.sig");
        assertThat(attestor.canReattest()).isTrue();
    }

    @Test
    void aMissingTokenFile_isRefusedNamingIt() {
        NodeAttestor attestor = load(
                AgentConfig.builder(), Map.of("tokenPath", dir.resolve("absent").toString()));

        assertThatThrownBy(attestor::payload)
                .isInstanceOf(FailedPreconditionException.class)
                .hasMessageStartingWith("cannot read the service-account token " + dir.resolve("absent"))
                .hasMessageContaining("plugins.nodeAttestor.k8s_psat.tokenPath");
    }

    @Test
    void withoutABlock_theTokenIsReadFromTheDefaultProjectedPath() {
        assertThat(load(AgentConfig.builder(), Map.of()).toString())
                .contains(K8sPsatAttestor.DEFAULT_TOKEN_PATH.toString());
    }

    private void write(String token) {
        try {
            Files.writeString(tokenFile(), token);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
