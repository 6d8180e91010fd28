package io.meshca.agent.attestation.workload;

import io.meshca.common.spiffe.Selector;
import io.meshca.common.spiffe.SelectorSet;
import java.nio.file.Files;
import java.nio.file.Path;

/** The built-in {@code unix} workload attestor against this JVM's own {@code /proc} entry. */
class UnixWorkloadAttestorContractTest extends WorkloadAttestorContractTest {

    @Override
    protected String pluginName() {
        return "unix";
    }

    @Override
    protected SelectorSet expectedSelectorsOfThisProcess() throws Exception {
        Path self = Path.of("/proc/self");
        Path exe = Files.readSymbolicLink(self.resolve("exe"));
        return SelectorSet.of(
                Selector.parse("unix:uid:" + Files.getAttribute(self, "unix:uid")),
                Selector.parse("unix:gid:" + Files.getAttribute(self, "unix:gid")),
                Selector.parse("unix:path:" + exe));
    }
}
