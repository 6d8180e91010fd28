package io.meshca.server.attestation.node;

/**
 * Proves what a node is from the evidence its agent sends. One implementation per attestation type. An
 * attestor that needs more than the evidence (proof that the node holds a key, say) answers with a
 * {@link AttestStep.Challenge}; the service relays it to the agent and hands the answer back.
 */
public interface NodeAttestor {

    /** The attestation type this attestor handles, e.g. {@code join_token}. */
    String type();

    /**
     * Looks at the payload: accepts the node ({@link AttestStep.Attested}, with its agent ID and
     * selectors) or asks the agent a challenge. Never blocks on the agent.
     *
     * @throws io.meshca.common.error.PermissionDeniedException if the evidence is refused
     * @throws io.meshca.common.error.InvalidArgumentException if the payload is malformed
     */
    AttestStep attest(byte[] payload);
}
