package io.meshca.server.attestation.node;

import static org.assertj.core.api.Assertions.assertThat;

/** Test helpers for attestors that decide in one step. */
final class AttestSteps {

    private AttestSteps() {}

    /** The result of a step that must be a decision, not a challenge. */
    static AttestResult attested(AttestStep step) {
        assertThat(step).isInstanceOf(AttestStep.Attested.class);
        return ((AttestStep.Attested) step).result();
    }
}
