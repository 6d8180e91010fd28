package io.meshca.server.api.admin;

import io.grpc.stub.StreamObserver;
import io.meshca.common.bundle.SpiffeBundle;
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
import io.meshca.server.api.convert.FederationRelationshipProtos;
import io.meshca.server.api.convert.TrustDomainProtos;
import io.meshca.server.federation.Federation;
import java.util.Optional;

/** Admin: federation relationships with other trust domains. */
public final class FederationService extends FederationGrpc.FederationImplBase {

    private final Federation federation;

    public FederationService(Federation federation) {
        this.federation = federation;
    }

    @Override
    public void createFederationRelationship(
            FederationRelationship request, StreamObserver<FederationRelationship> out) {
        var relationship = FederationRelationshipProtos.fromProto(request);
        out.onNext(FederationRelationshipProtos.toProto(federation.create(relationship, bootstrap(request))));
        out.onCompleted();
    }

    @Override
    public void updateFederationRelationship(
            FederationRelationship request, StreamObserver<FederationRelationship> out) {
        var relationship = FederationRelationshipProtos.fromProto(request);
        out.onNext(FederationRelationshipProtos.toProto(federation.update(relationship, bootstrap(request))));
        out.onCompleted();
    }

    @Override
    public void listFederationRelationships(
            ListFederationRelationshipsRequest request, StreamObserver<ListFederationRelationshipsResponse> out) {
        var response = ListFederationRelationshipsResponse.newBuilder();
        federation.list().forEach(r -> response.addRelationships(FederationRelationshipProtos.toProto(r)));
        out.onNext(response.build());
        out.onCompleted();
    }

    @Override
    public void getFederationRelationship(
            GetFederationRelationshipRequest request, StreamObserver<FederationRelationship> out) {
        out.onNext(FederationRelationshipProtos.toProto(
                federation.get(TrustDomainProtos.fromProto(request.getTrustDomain()))));
        out.onCompleted();
    }

    @Override
    public void deleteFederationRelationship(
            DeleteFederationRelationshipRequest request, StreamObserver<DeleteFederationRelationshipResponse> out) {
        federation.delete(TrustDomainProtos.fromProto(request.getTrustDomain()));
        out.onNext(DeleteFederationRelationshipResponse.getDefaultInstance());
        out.onCompleted();
    }

    @Override
    public void refreshBundle(RefreshBundleRequest request, StreamObserver<Bundle> out) {
        out.onNext(BundleProtos.toProto(federation.refresh(TrustDomainProtos.fromProto(request.getTrustDomain()))));
        out.onCompleted();
    }

    private static Optional<SpiffeBundle> bootstrap(FederationRelationship p) {
        return p.hasTrustDomainBundle()
                ? Optional.of(BundleProtos.fromProto(p.getTrustDomainBundle()))
                : Optional.empty();
    }
}
