package io.meshca.agent.api;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.meshca.agent.cache.WorkloadIdentitySource;
import io.meshca.common.spiffe.SelectorSet;
import io.meshca.proto.workload.JWTBundlesRequest;
import io.meshca.proto.workload.JWTBundlesResponse;
import io.meshca.proto.workload.JWTSVIDRequest;
import io.meshca.proto.workload.JWTSVIDResponse;
import io.meshca.proto.workload.SpiffeWorkloadAPIGrpc;
import io.meshca.proto.workload.ValidateJWTSVIDRequest;
import io.meshca.proto.workload.ValidateJWTSVIDResponse;
import io.meshca.proto.workload.X509BundlesRequest;
import io.meshca.proto.workload.X509BundlesResponse;
import io.meshca.proto.workload.X509SVIDRequest;
import io.meshca.proto.workload.X509SVIDResponse;
import java.util.Objects;

/**
 * The SPIFFE Workload API. Thin: who the caller is comes from the context
 * ({@link CallerSelectors}, set by {@link WorkloadAttestationInterceptor}); what it is entitled to comes
 * from the {@link WorkloadIdentitySource}; this class only streams it in wire form.
 */
public final class WorkloadApiService extends SpiffeWorkloadAPIGrpc.SpiffeWorkloadAPIImplBase {

    static final String JWT_UNSUPPORTED = "JWT-SVIDs are not supported by this agent yet";

    private final WorkloadIdentitySource source;

    public WorkloadApiService(WorkloadIdentitySource source) {
        this.source = Objects.requireNonNull(source, "source");
    }

    @Override
    public void fetchX509SVID(X509SVIDRequest request, StreamObserver<X509SVIDResponse> responses) {
        SelectorSet selectors = CallerSelectors.current();
        SnapshotStream.start((ServerCallStreamObserver<X509SVIDResponse>) responses, X509Responses::svids, false,
                listener -> source.subscribe(selectors, listener));
    }

    @Override
    public void fetchX509Bundles(X509BundlesRequest request, StreamObserver<X509BundlesResponse> responses) {
        SelectorSet selectors = CallerSelectors.current();
        SnapshotStream.start((ServerCallStreamObserver<X509BundlesResponse>) responses, X509Responses::bundles, true,
                listener -> source.subscribe(selectors, listener));
    }

    @Override
    public void fetchJWTSVID(JWTSVIDRequest request, StreamObserver<JWTSVIDResponse> responses) {
        responses.onError(Status.UNIMPLEMENTED.withDescription(JWT_UNSUPPORTED).asRuntimeException());
    }

    @Override
    public void fetchJWTBundles(JWTBundlesRequest request, StreamObserver<JWTBundlesResponse> responses) {
        responses.onError(Status.UNIMPLEMENTED.withDescription(JWT_UNSUPPORTED).asRuntimeException());
    }

    @Override
    public void validateJWTSVID(ValidateJWTSVIDRequest request, StreamObserver<ValidateJWTSVIDResponse> responses) {
        responses.onError(Status.UNIMPLEMENTED.withDescription(JWT_UNSUPPORTED).asRuntimeException());
    }
}
