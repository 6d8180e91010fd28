package io.meshca.agent.attestation.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshca.agent.AgentPlugins;
import io.meshca.agent.config.AgentConfig;
import io.meshca.common.error.InvalidArgumentException;
import io.meshca.common.error.MeshcaException;
import io.meshca.common.plugin.PluginsConfig;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What every node attestor promises, run by one subclass per built-in plugin: it names the server's
 * attestor that checks its evidence, hands out evidence the caller cannot spoil for the next call,
 * never prints it, and refuses an unknown key of its block. The attestor is created as the agent
 * creates it: through the plugin catalog, from its block and the agent's config.
 */
public abstract class NodeAttestorContractTest {

    /** The plugin's name under {@code plugins.nodeAttestor}. */
    protected abstract String pluginName();

    /** An agent config under which the plugin has evidence to present. */
    protected abstract AgentConfig.Builder configWithEvidence();

    /** A valid block for the plugin; empty by default. */
    protected Map<String, Object> block() {
        return Map.of();
    }

    protected final NodeAttestor attestor() {
        return load(configWithEvidence(), block());
    }

    protected final NodeAttestor load(AgentConfig.Builder config, Map<String, Object> block) {
        AgentConfig built = config.plugins(
                        PluginsConfig.of(Map.of(AgentPlugins.NODE_ATTESTOR.name(), Map.of(pluginName(), block))))
                .build();
        return AgentPlugins.CATALOG.loadOne(AgentPlugins.NODE_ATTESTOR, AgentPlugins.chosen(built), built);
    }

    @Test
    void itsType_isItsPluginName_theNameOfTheServersAttestor() {
        assertThat(attestor().type()).isEqualTo(pluginName());
    }

    @Test
    void evidence_isPresent_andEveryCallGetsItsOwnCopy() {
        NodeAttestor attestor = attestor();
        byte[] first = attestor.payload().orElseThrow();
        byte[] original = first.clone();

        first[0] ^= 1;

        assertThat(first).isNotEmpty();
        assertThat(attestor.payload())
                .hasValueSatisfying(next -> assertThat(next).isEqualTo(original));
    }

    @Test
    void evidence_neverAppearsInToString() {
        NodeAttestor attestor = attestor();
        String evidence = new String(attestor.payload().orElseThrow(), StandardCharsets.UTF_8);

        assertThat(attestor.toString()).doesNotContain(evidence);
    }

    @Test
    void bytesThatAreNoChallengeOfItsKind_areNeverAnswered() {
        assertThatThrownBy(() -> attestor().respond("sign this for me".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(MeshcaException.class);
    }

    @Test
    void anUnknownKeyOfItsBlock_isRefusedNamingIt() {
        assertThatThrownBy(() -> load(configWithEvidence(), Map.of("no_such_key", "x")))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("plugins.nodeAttestor." + pluginName() + ".no_such_key");
    }
}
