package io.meshca.server.api;

import io.grpc.stub.StreamObserver;
import io.meshca.proto.server.v1.AttestRequest;
import io.meshca.proto.server.v1.AttestResponse;
import io.meshca.proto.server.v1.NodeAttestationGrpc;
import io.meshca.server.agents.AgentManager;
import io.meshca.server.api.admission.SigningAdmission;
import io.meshca.server.ca.CaManager;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Node attestation over server-authenticated TLS: the agent sends its evidence and a CSR, answers the
 * attestor's challenges if it asks any, and gets its agent SVID and the bundle. Each stream is an
 * {@link AttestationStream}; the limits on challenges are here.
 */
public final class NodeAttestationService extends NodeAttestationGrpc.NodeAttestationImplBase {

    /** Challenges one attestation may ask at most: a bound on what a stream can cost the server. */
    public static final int MAX_CHALLENGES = 3;

    /** How long a challenge may stay unanswered: a node answers in milliseconds. */
    public static final Duration CHALLENGE_TIMEOUT = Duration.ofSeconds(30);

    private final AgentManager agents;
    private final CaManager ca;
    private final SigningAdmission admission;
    private final ScheduledExecutorService scheduler;

    /** @param scheduler times the challenges (never runs attestation work itself) */
    public NodeAttestationService(
            AgentManager agents, CaManager ca, SigningAdmission admission, ScheduledExecutorService scheduler) {
        this.agents = agents;
        this.ca = ca;
        this.admission = admission;
        this.scheduler = scheduler;
    }

    @Override
    public StreamObserver<AttestRequest> attest(StreamObserver<AttestResponse> out) {
        return new AttestationStream(
                agents, ca, admission, scheduler, new AttestationStream.Limits(MAX_CHALLENGES, CHALLENGE_TIMEOUT), out);
    }
}
