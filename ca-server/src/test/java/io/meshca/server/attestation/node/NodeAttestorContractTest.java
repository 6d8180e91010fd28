package io.meshca.server.attestation.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshca.common.error.InvalidArgumentException;
import io.meshca.common.error.PermissionDeniedException;
import io.meshca.common.selector.SelectorVocabularies;
import io.meshca.common.spiffe.Selector;
import io.meshca.common.spiffe.TrustDomain;
import org.junit.jupiter.api.Test;

/** What every NodeAttestor promises; one subclass per attestor. */
abstract class NodeAttestorContractTest {

    protected static final TrustDomain TD = TrustDomain.parse("example.org");

    protected abstract NodeAttestor attestor();

    /** Evidence the attestor accepts (once at least). */
    protected abstract byte[] validEvidence();

    /** The agent's answer to a challenge; by default the attestor asks none. */
    protected byte[] answer(byte[] challenge) {
        throw new AssertionError("this attestor was not expected to ask a challenge");
    }

    /** The attestation carried through, each challenge answered by {@link #answer}. */
    protected final AttestResult complete(AttestStep step) {
        for (int rounds = 0; rounds < 3; rounds++) {
            if (step instanceof AttestStep.Attested attested) {
                return attested.result();
            }
            AttestStep.Challenge challenge = (AttestStep.Challenge) step;
            step = challenge.onResponse().apply(answer(challenge.challenge()));
        }
        throw new AssertionError("no result after 3 challenges");
    }

    @Test
    void validEvidence_yieldsAnAgentIdOfItsType_inTheTrustDomain_withSelectors() {
        AttestResult r = complete(attestor().attest(validEvidence()));

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
    void itsSelectors_areInTheVocabularyOfItsType() {
        AttestResult r = complete(attestor().attest(validEvidence()));

        for (Selector selector : r.selectors().asSet()) {
            assertThat(selector.type()).isEqualTo(attestor().type());
            assertThatCode(() -> SelectorVocabularies.BUILT_IN.check(selector)).doesNotThrowAnyException();
        }
    }

    @Test
    void type_isASelectorTypeName() {
        assertThat(attestor().type()).matches("[a-z0-9_-]+");
    }
}
