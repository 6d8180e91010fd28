package io.meshca.server.attestation.node;

import io.meshca.common.spiffe.SelectorSet;
import io.meshca.common.spiffe.SpiffeId;
import java.util.Objects;

/** Who an attested node is: its agent ID and the selectors that describe it (matched by node aliases). */
public record AttestResult(SpiffeId agentId, SelectorSet selectors) {
    public AttestResult {
        Objects.requireNonNull(agentId, "agentId");
        Objects.requireNonNull(selectors, "selectors");
    }
}
