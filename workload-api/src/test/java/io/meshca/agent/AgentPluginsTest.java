package io.meshca.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshca.agent.attestation.workload.UnixWorkloadAttestor;
import io.meshca.agent.attestation.workload.WorkloadAttestor;
import io.meshca.agent.attestation.workload.k8s.K8sWorkloadAttestor;
import io.meshca.agent.config.AgentConfig;
import io.meshca.common.error.InvalidArgumentException;
import io.meshca.common.plugin.PluginsConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent's plugins: the defaults an older config runs, the {@code plugins:} block, and its refusals at start. */
class AgentPluginsTest {

    @TempDir
    Path dir;

    private AgentConfig.Builder config() {
        return AgentConfig.builder()
                .serverPort(1)
                .dataDir(dir.resolve("data"))
                .socketPath(dir.resolve("api.sock"))
                .joinToken("t");
    }

    @Test
    void withoutAPluginsBlock_theAgentRunsTheUnixWorkloadAttestorAndJoinTokenAttestation() {
        PluginsConfig chosen = AgentPlugins.chosen(config().build());

        assertThat(chosen.plugins("workloadAttestor")).containsOnlyKeys("unix");
        assertThat(chosen.plugins("nodeAttestor")).containsOnlyKeys("join_token");
    }

    @Test
    void thePluginsBlockOfTheConfigFile_choosesThePlugins_withTheirBlocks() throws Exception {
        Path file = Files.writeString(dir.resolve("agent.yaml"), """
                plugins:
                  workloadAttestor:
                    unix: {}
                  nodeAttestor:
                    join_token:
                """);

        PluginsConfig chosen = AgentPlugins.chosen(config().file(file).build());

        assertThat(chosen.plugins("workloadAttestor").get("unix").path()).isEqualTo("plugins.workloadAttestor.unix");
        assertThat(chosen.plugins("nodeAttestor").get("join_token").isEmpty()).isTrue();
    }

    @Test
    void theK8sWorkloadAttestor_runsBesideUnix_fromTheConfigFile() throws Exception {
        Path file = Files.writeString(dir.resolve("agent.yaml"), """
                plugins:
                  workloadAttestor:
                    unix: {}
                    k8s:
                      kubeletUrl: "http://127.0.0.1:10255"
                      podCacheTtl: 2s
                """);
        AgentConfig config = config().file(file).build();

        List<WorkloadAttestor> attestors =
                AgentPlugins.CATALOG.load(AgentPlugins.WORKLOAD_ATTESTOR, AgentPlugins.chosen(config), config);

        assertThat(attestors)
                .hasSize(2)
                .hasAtLeastOneElementOfType(UnixWorkloadAttestor.class)
                .hasAtLeastOneElementOfType(K8sWorkloadAttestor.class);
    }

    @Test
    void aBadValueInTheK8sBlock_isRefusedNamingTheKey() throws Exception {
        Path file = Files.writeString(dir.resolve("agent.yaml"), """
                plugins:
                  workloadAttestor:
                    k8s:
                      kubeletUrl: "127.0.0.1:10250"
                """);
        AgentConfig config = config().file(file).build();

        assertThatThrownBy(() ->
                        AgentPlugins.CATALOG.load(AgentPlugins.WORKLOAD_ATTESTOR, AgentPlugins.chosen(config), config))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageStartingWith("plugins.workloadAttestor.k8s.kubeletUrl must be an http or https URL");
    }

    @Test
    void anUnknownNodeAttestor_isRefusedAtStart_beforeAnythingIsCreated() {
        AgentConfig config = config().plugins(PluginsConfig.of(Map.of("nodeAttestor", Map.of("tpm", Map.of()))))
                .build();

        assertThatThrownBy(() -> NodeAgent.start(config))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessage(
                        "plugins.nodeAttestor: unknown plugin \"tpm\" (known nodeAttestor plugins: aws_iid, azure_msi, join_token, k8s_psat, x509pop)");
        assertThat(dir.resolve("data")).doesNotExist();
        assertThat(dir.resolve("api.sock")).doesNotExist();
    }

    @Test
    void aKindWithNoPlugin_isRefusedNamingTheKnownOnes() {
        AgentConfig config = config().plugins(PluginsConfig.of(Map.of("workloadAttestor", Map.of())))
                .build();

        assertThatThrownBy(() -> NodeAgent.start(config))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessage("plugins.workloadAttestor: one or more plugin required, 0 configured"
                        + " (known workloadAttestor plugins: k8s, unix)");
    }

    @Test
    void anUnknownKind_isRefusedNamingTheKnownKinds() {
        AgentConfig config = config().plugins(PluginsConfig.of(Map.of("keyManager", Map.of("disk", Map.of()))))
                .build();

        assertThatThrownBy(() -> AgentPlugins.chosen(config))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessage(
                        "plugins: unknown plugin kind \"keyManager\" (known kinds: nodeAttestor, workloadAttestor)");
    }
}
