package io.meshca.server.attestation.node;

import io.meshca.common.spiffe.SpiffeId;

/**
 * Which agents the server has attested and not evicted: what a trust-on-first-use attestor ({@code
 * aws_iid}) asks before it lets evidence that never changes attest a node a second time.
 */
@FunctionalInterface
public interface AttestedAgents {

    /**
     * Whether an agent with this ID is on record (banned agents included; an evicted one is not).
     *
     * @throws io.meshca.common.error.UnavailableException if the record cannot be read now
     */
    boolean isAttested(SpiffeId agentId);
}
