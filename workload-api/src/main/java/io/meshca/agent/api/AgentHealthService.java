package io.meshca.agent.api;

import io.grpc.Status;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.StreamObserver;
import java.util.Objects;
import java.util.function.BooleanSupplier;

/**
 * {@code grpc.health.v1.Health} on the agent's socket, for {@code agent healthcheck} and for probes:
 * SERVING while the agent holds a valid agent SVID, NOT_SERVING when it holds none (it expired and the
 * agent could not renew it): such an agent can neither renew workload SVIDs nor learn of changes, and
 * its workloads lose their identities as they expire. Asked at every call, so the answer changes the
 * moment the SVID expires. Anyone may ask: the answer holds no secret, so it needs no attestation.
 */
public final class AgentHealthService extends HealthGrpc.HealthImplBase {

    /** The only service name answered: the agent as a whole. */
    public static final String AGENT = "";

    static final String UNKNOWN_SERVICE = "unknown service; the agent answers only for \"\" (itself)";

    private final BooleanSupplier holdsValidSvid;

    public AgentHealthService(BooleanSupplier holdsValidSvid) {
        this.holdsValidSvid = Objects.requireNonNull(holdsValidSvid, "holdsValidSvid");
    }

    @Override
    public void check(HealthCheckRequest request, StreamObserver<HealthCheckResponse> responses) {
        if (!AGENT.equals(request.getService())) {
            responses.onError(Status.NOT_FOUND.withDescription(UNKNOWN_SERVICE).asRuntimeException());
            return;
        }
        responses.onNext(HealthCheckResponse.newBuilder()
                .setStatus(
                        holdsValidSvid.getAsBoolean()
                                ? HealthCheckResponse.ServingStatus.SERVING
                                : HealthCheckResponse.ServingStatus.NOT_SERVING)
                .build());
        responses.onCompleted();
    }
}
