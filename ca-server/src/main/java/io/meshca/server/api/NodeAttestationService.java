package io.meshca.server.api;

import io.grpc.stub.StreamObserver;
import io.meshca.common.error.InvalidArgumentException;
import io.meshca.proto.server.v1.AttestRequest;
import io.meshca.proto.server.v1.AttestResponse;
import io.meshca.proto.server.v1.AttestResult;
import io.meshca.proto.server.v1.NodeAttestationGrpc;
import io.meshca.server.agents.AgentManager;
import io.meshca.server.api.admission.SigningAdmission;
import io.meshca.server.api.convert.BundleProtos;
import io.meshca.server.api.convert.SvidProtos;
import io.meshca.server.ca.CaManager;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Node attestation over server-authenticated TLS: the agent sends its evidence and a CSR, and gets its
 * agent SVID and the bundle. Join tokens need no challenge; the stream shape is ready for attestors
 * that do.
 */
public final class NodeAttestationService extends NodeAttestationGrpc.NodeAttestationImplBase {

    private final AgentManager agents;
    private final CaManager ca;
    private final SigningAdmission admission;

    public NodeAttestationService(AgentManager agents, CaManager ca, SigningAdmission admission) {
        this.agents = agents;
        this.ca = ca;
        this.admission = admission;
    }

    @Override
    public StreamObserver<AttestRequest> attest(StreamObserver<AttestResponse> out) {
        AtomicBoolean done = new AtomicBoolean();
        return new StreamObserver<>() {
            @Override
            public void onNext(AttestRequest request) {
                if (done.get()) {
                    return;
                }
                done.set(true);
                if (!request.hasParams()) {
                    throw new InvalidArgumentException("the first attestation message must carry params");
                }
                var params = request.getParams();
                AgentManager.Attested attested;
                try (SigningAdmission.Permit permit = admission.admit(1)) {
                    attested = agents.attest(
                            params.getData().getType(),
                            params.getData().getPayload().toByteArray(),
                            params.getCsr().toByteArray());
                }
                out.onNext(AttestResponse.newBuilder()
                        .setResult(AttestResult.newBuilder()
                                .setSvid(SvidProtos.toProto(attested.agent().spiffeId(), attested.svid()))
                                .setBundle(BundleProtos.toProto(ca)))
                        .build());
                out.onCompleted();
            }

            @Override
            public void onError(Throwable t) {
                done.set(true);
            }

            @Override
            public void onCompleted() {
                if (!done.getAndSet(true)) {
                    throw new InvalidArgumentException("attestation stream closed without params");
                }
            }
        };
    }
}
