package io.meshca.server.api.interceptor;

import io.grpc.Context;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.server.model.AgentRecord;

/** The authenticated caller, put in the gRPC Context by an interceptor; services read it from here only. */
public final class CallerIdentity {

    /** The calling agent (known, not banned), on the Agent service. */
    public static final Context.Key<AgentRecord> AGENT = Context.key("meshca-agent");

    private CallerIdentity() {}

    public static AgentRecord agent() {
        AgentRecord agent = AGENT.get();
        if (agent == null) {
            // A wiring bug, not a caller error: the interceptor is missing.
            throw new IllegalStateException("no agent identity in the call context");
        }
        return agent;
    }

    public static SpiffeId agentId() {
        return agent().spiffeId();
    }
}
