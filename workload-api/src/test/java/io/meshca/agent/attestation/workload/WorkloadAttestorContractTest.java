package io.meshca.agent.attestation.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshca.agent.AgentPlugins;
import io.meshca.agent.config.AgentConfig;
import io.meshca.common.error.InvalidArgumentException;
import io.meshca.common.error.PermissionDeniedException;
import io.meshca.common.plugin.PluginsConfig;
import io.meshca.common.spiffe.SelectorSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What every workload attestor promises, run by one subclass per built-in plugin: this JVM is
 * attested with the selectors the subclass expects, a process that is gone is refused, and a PID that
 * came to name another process is refused as the exited peer. The attestor is created as the agent
 * creates it: through the plugin catalog, from its block.
 */
public abstract class WorkloadAttestorContractTest {

    /** The plugin's name under {@code plugins.workloadAttestor}. */
    protected abstract String pluginName();

    /**
     * Selectors the attestor must give this JVM (among others it may add); empty only for an attestor of
     * a platform this JVM does not run in.
     */
    protected abstract SelectorSet expectedSelectorsOfThisProcess() throws Exception;

    /** A valid block for the plugin; empty by default. */
    protected Map<String, Object> block() {
        return Map.of();
    }

    private static final int THIS_PID = Math.toIntExact(ProcessHandle.current().pid());

    protected final WorkloadAttestor attestor() {
        return load(block());
    }

    private WorkloadAttestor load(Map<String, Object> block) {
        AgentConfig config = AgentConfig.builder()
                .plugins(PluginsConfig.of(Map.of(AgentPlugins.WORKLOAD_ATTESTOR.name(), Map.of(pluginName(), block))))
                .build();
        List<WorkloadAttestor> loaded =
                AgentPlugins.CATALOG.load(AgentPlugins.WORKLOAD_ATTESTOR, AgentPlugins.chosen(config), config);
        assertThat(loaded).hasSize(1);
        return loaded.get(0);
    }

    @Test
    void thisProcess_isAttestedWithItsSelectors() throws Exception {
        SelectorSet selectors = attestor().attest(THIS_PID);

        assertThat(selectors.asSet())
                .containsAll(expectedSelectorsOfThisProcess().asSet());
    }

    @Test
    void aProcessThatHasExited_isRefused() throws Exception {
        Process child = new ProcessBuilder("true").start();
        child.waitFor();
        int exited = Math.toIntExact(child.pid());

        assertThatThrownBy(() -> attestor().attest(exited)).isInstanceOf(PermissionDeniedException.class);
    }

    @Test
    void theConnectedProcess_isAttestedWhileItsPidStillNamesIt() throws Exception {
        ProcessStartTimes startTimes = ProcessStartTimes.system();
        long startTime = startTimes.of(THIS_PID);

        assertThat(attestor().attest(THIS_PID, startTime, startTimes))
                .isEqualTo(attestor().attest(THIS_PID));
    }

    @Test
    void aPidThatNamesAnotherProcessThanTheOneThatConnected_isRefusedAsExited() throws Exception {
        ProcessStartTimes startTimes = ProcessStartTimes.system();
        long earlierProcess = startTimes.of(THIS_PID) - 1;

        assertThatThrownBy(() -> attestor().attest(THIS_PID, earlierProcess, startTimes))
                .isInstanceOf(PermissionDeniedException.class)
                .hasMessage(WorkloadAttestor.PEER_EXITED);
    }

    @Test
    void anUnknownKeyOfItsBlock_isRefusedNamingIt() {
        assertThatThrownBy(() -> load(Map.of("no_such_key", "x")))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("plugins.workloadAttestor." + pluginName() + ".no_such_key");
    }
}
