package io.meshca.server.attestation.node;

/**
 * Proves what a node is from the evidence its agent sends. One implementation per attestation type.
 * Challenge/response attestors (x509pop and friends) will get a challenge channel parameter when they land.
 */
public interface NodeAttestor {

    /** The attestation type this attestor handles, e.g. {@code join_token}. */
    String type();

    /**
     * Verifies the payload and returns the agent's identity and selectors.
     *
     * @throws io.meshca.common.error.PermissionDeniedException if the evidence is refused (message says why)
     * @throws io.meshca.common.error.InvalidArgumentException if the payload is malformed
     */
    AttestResult attest(byte[] payload);
}
