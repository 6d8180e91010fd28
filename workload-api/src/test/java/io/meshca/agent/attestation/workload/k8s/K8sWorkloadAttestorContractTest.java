package io.meshca.agent.attestation.workload.k8s;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.meshca.agent.attestation.workload.WorkloadAttestorContractTest;
import io.meshca.common.spiffe.SelectorSet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;

/**
 * The built-in {@code k8s} workload attestor against this JVM, which runs outside any pod: it gets no
 * {@code k8s} selectors and the kubelet is never asked, so the block may name one that does not exist.
 */
class K8sWorkloadAttestorContractTest extends WorkloadAttestorContractTest {

    @BeforeEach
    void thisJvmIsInNoPod() throws Exception {
        assumeTrue(
                PodCgroup.parse(Files.readString(Path.of("/proc/self/cgroup"))).isEmpty(), "running in a pod");
    }

    @Override
    protected String pluginName() {
        return "k8s";
    }

    @Override
    protected Map<String, Object> block() {
        return Map.of("kubeletUrl", "http://127.0.0.1:1");
    }

    @Override
    protected SelectorSet expectedSelectorsOfThisProcess() {
        // none: attest(pid) of a process outside a pod is checked to be empty in K8sWorkloadAttestorTest
        return SelectorSet.empty();
    }
}
