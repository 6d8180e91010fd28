package io.meshca.agent;

import io.meshca.agent.identity.AgentSvid;
import io.meshca.agent.rotation.IssuedBatch;

/**
 * What whoever starts a {@link NodeAgent} may learn of it as it runs, as events rather than access to
 * its parts: which SVID the agent presents to the server, when it serves a complete set of
 * authorized entries, and which workload SVIDs it has just issued. A supervisor or a readiness probe can wait on these; the in-process test mesh
 * does. Called on the agent's own threads: an implementation returns at once and never throws.
 */
public interface AgentEvents {

    /** No one listens. */
    AgentEvents NONE = new AgentEvents() {};

    /** The agent presents {@code svid} from now on: once at start, then after every renewal. */
    default void agentSvidInUse(AgentSvid svid) {}

    /**
     * A complete snapshot of the authorized entries, at {@code revision}, is applied: the Workload API
     * and SDS serve from it. Happens at the first sync and whenever a reconnect needs a new snapshot.
     */
    default void synced(long revision) {}

    /**
     * Workload SVIDs were issued and stored: from now on every Workload API stream and SDS subscriber
     * they concern has them (the push happens before this call). One call per signing call; a batch
     * that replaced SVIDs signed by a tainted authority says so, so a benchmark can time a taint.
     */
    default void workloadSvidsIssued(IssuedBatch batch) {}
}
