package io.meshca.agent.rotation;

import io.meshca.agent.cache.TrustBundle;
import io.meshca.agent.identity.AgentSvid;
import java.util.Objects;

/** How the agent SVID rotator gets a new identity once its SVID expired: node attestation again. */
@FunctionalInterface
public interface NodeReattestor {

    /** A new agent SVID, and the bundle that came with it. */
    record Reattested(AgentSvid svid, TrustBundle bundle) {
        public Reattested {
            Objects.requireNonNull(svid, "svid");
            Objects.requireNonNull(bundle, "bundle");
        }
    }

    /**
     * Attests this node again with fresh evidence from its node attestor.
     *
     * @throws io.meshca.common.error.FailedPreconditionException if the node attestor cannot attest a
     *     running agent again (join_token: a token is single-use), saying what the operator must do
     * @throws io.meshca.common.error.MeshcaException if the server refused the evidence or could not be
     *     reached (worth retrying)
     */
    Reattested reattest();
}
