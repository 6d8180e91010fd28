package io.meshca.server.api.admin;

import io.grpc.stub.StreamObserver;
import io.meshca.common.bundle.SpiffeBundle;
import io.meshca.common.error.GrpcErrors;
import io.meshca.common.error.InvalidArgumentException;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.proto.server.v1.Bundle;
import io.meshca.proto.server.v1.DeleteFederationRelationshipRequest;
import io.meshca.proto.server.v1.DeleteFederationRelationshipResponse;
import io.meshca.proto.server.v1.FederationGrpc;
import io.meshca.proto.server.v1.FederationRelationship;
import io.meshca.proto.server.v1.GetFederationRelationshipRequest;
import io.meshca.proto.server.v1.ListFederationRelationshipsRequest;
import io.meshca.proto.server.v1.ListFederationRelationshipsResponse;
import io.meshca.proto.server.v1.RefreshBundleRequest;
import io.meshca.server.api.convert.BundleProtos;
import io.meshca.server.federation.Federation;
import io.meshca.server.model.FederationRelationship.Profile;
import java.net.URI;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Supplier;

/** Admin: federation relationships with other trust domains. */
public final class FederationService extends FederationGrpc.FederationImplBase {

    private final Federation federation;

    public FederationService(Federation federation) {
        this.federation = federation;
    }

    @Override
    public void createFederationRelationship(
            FederationRelationship request, StreamObserver<FederationRelationship> out) {
        answer(out, () -> toProto(federation.create(fromProto(request), bootstrap(request))));
    }

    @Override
    public void updateFederationRelationship(
            FederationRelationship request, StreamObserver<FederationRelationship> out) {
        answer(out, () -> toProto(federation.update(fromProto(request), bootstrap(request))));
    }

    @Override
    public void listFederationRelationships(
            ListFederationRelationshipsRequest request, StreamObserver<ListFederationRelationshipsResponse> out) {
        answer(out, () -> {
            var response = ListFederationRelationshipsResponse.newBuilder();
            federation.list().forEach(r -> response.addRelationships(toProto(r)));
            return response.build();
        });
    }

    @Override
    public void getFederationRelationship(
            GetFederationRelationshipRequest request, StreamObserver<FederationRelationship> out) {
        answer(out, () -> toProto(federation.get(BundlesService.trustDomain(request.getTrustDomain()))));
    }

    @Override
    public void deleteFederationRelationship(
            DeleteFederationRelationshipRequest request, StreamObserver<DeleteFederationRelationshipResponse> out) {
        answer(out, () -> {
            federation.delete(BundlesService.trustDomain(request.getTrustDomain()));
            return DeleteFederationRelationshipResponse.getDefaultInstance();
        });
    }

    @Override
    public void refreshBundle(RefreshBundleRequest request, StreamObserver<Bundle> out) {
        answer(
                out,
                () -> BundleProtos.toProto(federation.refresh(BundlesService.trustDomain(request.getTrustDomain()))));
    }

    private static <T> void answer(StreamObserver<T> out, Supplier<T> work) {
        try {
            out.onNext(work.get());
            out.onCompleted();
        } catch (RuntimeException e) {
            out.onError(GrpcErrors.toStatus(e));
        }
    }

    static io.meshca.server.model.FederationRelationship fromProto(FederationRelationship p) {
        if (p.getBundleEndpointUrl().isEmpty()) {
            throw new InvalidArgumentException("bundle endpoint URL is required");
        }
        URI url;
        try {
            url = URI.create(p.getBundleEndpointUrl());
        } catch (IllegalArgumentException e) {
            throw new InvalidArgumentException("bundle endpoint URL is invalid: " + p.getBundleEndpointUrl());
        }
        SpiffeId endpointId;
        try {
            endpointId = p.getEndpointSpiffeId().isEmpty() ? null : SpiffeId.parse(p.getEndpointSpiffeId());
        } catch (RuntimeException e) {
            throw new InvalidArgumentException("endpoint SPIFFE ID is invalid: " + e.getMessage());
        }
        return new io.meshca.server.model.FederationRelationship(
                BundlesService.trustDomain(p.getTrustDomain()),
                url,
                Profile.parse(p.getBundleEndpointProfile().isEmpty() ? "https_web" : p.getBundleEndpointProfile()),
                endpointId,
                p.getTrustedCaFile().isEmpty() ? null : Path.of(p.getTrustedCaFile()));
    }

    private static Optional<SpiffeBundle> bootstrap(FederationRelationship p) {
        return p.hasTrustDomainBundle()
                ? Optional.of(BundleProtos.fromProto(p.getTrustDomainBundle()))
                : Optional.empty();
    }

    static FederationRelationship toProto(io.meshca.server.model.FederationRelationship r) {
        FederationRelationship.Builder b = FederationRelationship.newBuilder()
                .setTrustDomain(r.trustDomain().name())
                .setBundleEndpointUrl(r.bundleEndpointUrl().toString())
                .setBundleEndpointProfile(r.profile().configName());
        r.endpointId().ifPresent(id -> b.setEndpointSpiffeId(id.toString()));
        r.caFile().ifPresent(f -> b.setTrustedCaFile(f.toString()));
        return b.build();
    }
}
