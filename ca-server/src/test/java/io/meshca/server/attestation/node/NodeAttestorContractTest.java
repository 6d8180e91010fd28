package io.meshca.server.attestation.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshca.common.error.InvalidArgumentException;
import io.meshca.common.error.PermissionDeniedException;
import io.meshca.common.spiffe.TrustDomain;
import org.junit.jupiter.api.Test;

/** What every NodeAttestor promises; one subclass per attestor. */
abstract class NodeAttestorContractTest {

    protected static final TrustDomain TD = TrustDomain.parse("example.org");

    protected abstract NodeAttestor attestor();

    /** Evidence the attestor accepts (once at least). */
    protected abstract byte[] validEvidence();

    @Test
    void validEvidence_yieldsAnAgentIdOfItsType_inTheTrustDomain_withSelectors() {
        AttestResult r = attestor().attest(validEvidence());

        assertThat(r.agentId().memberOf(TD)).isTrue();
        assertThat(r.agentId().path()).startsWith("/meshca/agent/" + attestor().type() + "/");
        assertThat(r.selectors().isEmpty()).isFalse();
    }

    @Test
    void garbage_isRefusedWithADomainError_neverAnythingElse() {
        for (byte[] payload : new byte[][] {new byte[0], "garbage".getBytes(), new byte[] {0, (byte) 0xff, 10}}) {
            assertThatThrownBy(() -> attestor().attest(payload))
                    .isInstanceOfAny(PermissionDeniedException.class, InvalidArgumentException.class);
        }
    }

    @Test
    void type_isASelectorTypeName() {
        assertThat(attestor().type()).matches("[a-z0-9_-]+");
    }
}
