package io.meshca.agent.api;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.meshca.agent.cache.WorkloadIdentitySource;
import io.meshca.agent.cache.X509Snapshot;
import io.meshca.agent.jwt.JwtSvidCache;
import io.meshca.agent.jwt.JwtSvidValidator;
import io.meshca.agent.jwt.ValidatedJwtSvid;
import io.meshca.common.error.InvalidArgumentException;
import io.meshca.common.spiffe.JwtAudiences;
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
import java.util.Optional;

/**
 * The SPIFFE Workload API. Thin: who the caller is comes from the context
 * ({@link CallerSelectors}, set by {@link WorkloadAttestationInterceptor}); what it is entitled to comes
 * from the {@link WorkloadIdentitySource}; this class only streams it in wire form.
 */
public final class WorkloadApiService extends SpiffeWorkloadAPIGrpc.SpiffeWorkloadAPIImplBase {

    static final String NO_SVID = "svid must be specified";
    static final String JWT_UNSUPPORTED = "JWT-SVIDs are not supported by this agent yet";

    private final WorkloadIdentitySource source;
    private final JwtSvidCache jwtSvids;
    private final JwtSvidValidator jwtValidator;

    /** Without JWT-SVIDs: the JWT RPCs answer UNIMPLEMENTED. */
    public WorkloadApiService(WorkloadIdentitySource source) {
        this.source = Objects.requireNonNull(source, "source");
        this.jwtSvids = null;
        this.jwtValidator = null;
    }

    public WorkloadApiService(WorkloadIdentitySource source, JwtSvidCache jwtSvids, JwtSvidValidator jwtValidator) {
        this.source = Objects.requireNonNull(source, "source");
        this.jwtSvids = Objects.requireNonNull(jwtSvids, "jwtSvids");
        this.jwtValidator = Objects.requireNonNull(jwtValidator, "jwtValidator");
    }

    @Override
    public void fetchX509SVID(X509SVIDRequest request, StreamObserver<X509SVIDResponse> responses) {
        SelectorSet selectors = CallerSelectors.current();
        SnapshotStream.start(
                (ServerCallStreamObserver<X509SVIDResponse>) responses,
                X509Responses.SVIDS,
                false,
                listener -> source.subscribe(selectors, listener));
    }

    @Override
    public void fetchX509Bundles(X509BundlesRequest request, StreamObserver<X509BundlesResponse> responses) {
        SelectorSet selectors = CallerSelectors.current();
        SnapshotStream.start(
                (ServerCallStreamObserver<X509BundlesResponse>) responses,
                X509Responses.BUNDLES,
                true,
                listener -> source.subscribe(selectors, listener));
    }

    @Override
    public void fetchJWTSVID(JWTSVIDRequest request, StreamObserver<JWTSVIDResponse> responses) {
        if (jwtSvids == null) {
            responses.onError(
                    Status.UNIMPLEMENTED.withDescription(JWT_UNSUPPORTED).asRuntimeException());
            return;
        }
        responses.onNext(JwtSvidFetch.fetch(request, source.snapshot(CallerSelectors.current()), jwtSvids));
        responses.onCompleted();
    }

    @Override
    public void fetchJWTBundles(JWTBundlesRequest request, StreamObserver<JWTBundlesResponse> responses) {
        if (jwtSvids == null) {
            responses.onError(
                    Status.UNIMPLEMENTED.withDescription(JWT_UNSUPPORTED).asRuntimeException());
            return;
        }
        SelectorSet selectors = CallerSelectors.current();
        SnapshotStream.start(
                (ServerCallStreamObserver<JWTBundlesResponse>) responses,
                JwtResponses.BUNDLES,
                true,
                listener -> source.subscribe(selectors, listener));
    }

    @Override
    public void validateJWTSVID(ValidateJWTSVIDRequest request, StreamObserver<ValidateJWTSVIDResponse> responses) {
        if (jwtValidator == null) {
            responses.onError(
                    Status.UNIMPLEMENTED.withDescription(JWT_UNSUPPORTED).asRuntimeException());
            return;
        }
        if (request.getAudience().isEmpty()) {
            throw new InvalidArgumentException(JwtSvidFetch.NO_AUDIENCE);
        }
        JwtAudiences.checkOne(request.getAudience());
        if (request.getSvid().isEmpty()) {
            throw new InvalidArgumentException(NO_SVID);
        }
        X509Snapshot snapshot = source.snapshot(CallerSelectors.current());
        ValidatedJwtSvid valid = jwtValidator.validate(
                request.getSvid(),
                request.getAudience(),
                domain -> domain.equals(snapshot.bundle().trustDomain())
                        ? Optional.of(snapshot.bundle())
                        : Optional.ofNullable(snapshot.federatedBundles().get(domain)));
        responses.onNext(ValidateJWTSVIDResponse.newBuilder()
                .setSpiffeId(valid.spiffeId().toString())
                .setClaims(JwtResponses.struct(valid.claims()))
                .build());
        responses.onCompleted();
    }
}
