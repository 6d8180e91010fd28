package io.meshca.agent.attestation.node;

import io.meshca.common.error.FailedPreconditionException;
import java.util.Optional;

/**
 * The agent's side of node attestation (SPIRE's agent {@code NodeAttestor} plugin): the evidence this
 * node presents to the server's node attestor of the same name. One per agent.
 */
public interface NodeAttestor {

    /** What an attestor that answers no challenges says when the server asks one. */
    String NO_CHALLENGES = "the server sent an attestation challenge, which %s attestation does not answer";

    /**
     * The attestation type: the name of the server's node attestor that checks this evidence, sent with
     * it (e.g. {@code join_token}).
     */
    String type();

    /**
     * The evidence for one attestation, the payload of the attest stream's first message. Asked only
     * when the agent has no valid stored SVID; each call returns a new array.
     *
     * @return empty if this attestor has nothing to attest with (join_token without a token): the agent
     *     can then start only from a stored SVID
     */
    Optional<byte[]> payload();

    /**
     * Whether a running agent whose SVID expired may attest again with this attestor's evidence. True
     * for evidence the node can produce afresh (a cloud instance document); false for single-use
     * evidence, which the server refuses the second time.
     */
    boolean canReattest();

    /**
     * The answer to a challenge the server's attestor asks after it has seen the evidence (x509pop: a
     * signature with the node's key). By default an attestor answers none.
     *
     * @throws FailedPreconditionException if this attestor answers no challenges
     * @throws io.meshca.common.error.InvalidArgumentException if the challenge is not one it answers
     */
    default byte[] respond(byte[] challenge) {
        throw new FailedPreconditionException(String.format(NO_CHALLENGES, type()));
    }
}
