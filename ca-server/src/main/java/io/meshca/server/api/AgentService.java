package io.meshca.server.api;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.meshca.common.error.InvalidArgumentException;
import io.meshca.proto.server.v1.AgentGrpc;
import io.meshca.proto.server.v1.BatchSignX509SvidsRequest;
import io.meshca.proto.server.v1.BatchSignX509SvidsResponse;
import io.meshca.proto.server.v1.MintJwtSvidsRequest;
import io.meshca.proto.server.v1.MintJwtSvidsResponse;
import io.meshca.proto.server.v1.RenewAgentSvidRequest;
import io.meshca.proto.server.v1.RenewAgentSvidResponse;
import io.meshca.proto.server.v1.WatchAuthorizedRequest;
import io.meshca.proto.server.v1.WatchAuthorizedResponse;
import io.meshca.server.agents.AgentManager;
import io.meshca.server.api.admission.SigningAdmission;
import io.meshca.server.api.convert.SvidProtos;
import io.meshca.server.api.interceptor.CallerIdentity;
import io.meshca.server.model.AgentRecord;
import java.security.cert.X509Certificate;
import java.util.List;

/** The Agent service; the caller is the agent put in the Context by AgentIdentityInterceptor. */
public final class AgentService extends AgentGrpc.AgentImplBase {

    public static final int MAX_BATCH = 1000;

    private final AgentManager agents;
    private final BatchSigner batchSigner;
    private final WatchSessions watches;
    private final JwtSvidBatch jwtMinter;
    private final SigningAdmission admission;

    /** Without JWT-SVIDs: MintJwtSvids answers UNIMPLEMENTED. */
    public AgentService(
            AgentManager agents, BatchSigner batchSigner, WatchSessions watches, SigningAdmission admission) {
        this(agents, batchSigner, watches, null, admission);
    }

    /** @param admission the queue that renewals pass (batches pass it in their signer) */
    public AgentService(
            AgentManager agents,
            BatchSigner batchSigner,
            WatchSessions watches,
            JwtSvidBatch jwtMinter,
            SigningAdmission admission) {
        this.agents = agents;
        this.batchSigner = batchSigner;
        this.watches = watches;
        this.jwtMinter = jwtMinter;
        this.admission = admission;
    }

    @Override
    public void mintJwtSvids(MintJwtSvidsRequest request, StreamObserver<MintJwtSvidsResponse> out) {
        if (jwtMinter == null) {
            super.mintJwtSvids(request, out);
            return;
        }
        if (request.getParamsCount() > MAX_BATCH) {
            throw new InvalidArgumentException(
                    "a batch holds at most " + MAX_BATCH + " requests, got " + request.getParamsCount());
        }
        out.onNext(MintJwtSvidsResponse.newBuilder()
                .addAllResults(jwtMinter.mint(CallerIdentity.agent(), request.getParamsList()))
                .build());
        out.onCompleted();
    }

    @Override
    public void renewAgentSvid(RenewAgentSvidRequest request, StreamObserver<RenewAgentSvidResponse> out) {
        var id = CallerIdentity.agentId();
        List<X509Certificate> chain;
        // from the renewal reserve when the queue is full: see SigningAdmission
        try (SigningAdmission.Permit permit = admission.admitRenewal()) {
            chain = agents.renew(id, request.getCsr().toByteArray());
        }
        out.onNext(RenewAgentSvidResponse.newBuilder()
                .setSvid(SvidProtos.toProto(id, chain))
                .build());
        out.onCompleted();
    }

    @Override
    public void watchAuthorized(WatchAuthorizedRequest request, StreamObserver<WatchAuthorizedResponse> out) {
        if (request.getPageSize() < 0) {
            throw new InvalidArgumentException("page_size cannot be negative");
        }
        if (request.getSinceRevision() < 0) {
            throw new InvalidArgumentException("since_revision cannot be negative");
        }
        AgentRecord agent = CallerIdentity.agent();
        watches.start(agent, request.getSinceRevision(), request.getPageSize(), (ServerCallStreamObserver<
                        WatchAuthorizedResponse>)
                out);
    }

    @Override
    public void batchSignX509Svids(BatchSignX509SvidsRequest request, StreamObserver<BatchSignX509SvidsResponse> out) {
        if (request.getRequestsCount() > MAX_BATCH) {
            throw new InvalidArgumentException(
                    "a batch holds at most " + MAX_BATCH + " requests, got " + request.getRequestsCount());
        }
        out.onNext(BatchSignX509SvidsResponse.newBuilder()
                .addAllResults(batchSigner.sign(CallerIdentity.agent(), request.getRequestsList()))
                .build());
        out.onCompleted();
    }
}
