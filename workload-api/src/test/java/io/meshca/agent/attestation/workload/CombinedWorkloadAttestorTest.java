package io.meshca.agent.attestation.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshca.common.error.PermissionDeniedException;
import io.meshca.common.spiffe.Selector;
import io.meshca.common.spiffe.SelectorSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class CombinedWorkloadAttestorTest {

    private static final Selector UID = Selector.parse("unix:uid:1000");
    private static final Selector POD = Selector.parse("k8s:ns:shop");

    @Test
    void theSelectorsOfEveryAttestor_areUnited() {
        WorkloadAttestor combined =
                CombinedWorkloadAttestor.of(List.of(pid -> SelectorSet.of(UID), pid -> SelectorSet.of(POD)));

        assertThat(combined.attest(42)).isEqualTo(SelectorSet.of(UID, POD));
    }

    @Test
    void oneAttestorRefusing_refusesTheCall() {
        WorkloadAttestor combined = CombinedWorkloadAttestor.of(List.of(pid -> SelectorSet.of(UID), pid -> {
            throw new PermissionDeniedException(WorkloadAttestor.PEER_EXITED);
        }));

        assertThatThrownBy(() -> combined.attest(42))
                .isInstanceOf(PermissionDeniedException.class)
                .hasMessage(WorkloadAttestor.PEER_EXITED);
    }

    @Test
    void aSingleAttestor_isUsedAsItIs() {
        WorkloadAttestor only = pid -> SelectorSet.of(UID);

        assertThat(CombinedWorkloadAttestor.of(List.of(only))).isSameAs(only);
        assertThatThrownBy(() -> CombinedWorkloadAttestor.of(List.of())).isInstanceOf(IllegalArgumentException.class);
    }
}
