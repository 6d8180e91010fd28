package io.meshca.server.api.admin;

import io.grpc.stub.StreamObserver;
import io.meshca.proto.server.v1.Bundle;
import io.meshca.proto.server.v1.BundlesGrpc;
import io.meshca.proto.server.v1.CountFederatedBundlesRequest;
import io.meshca.proto.server.v1.CountResponse;
import io.meshca.proto.server.v1.DeleteFederatedBundleRequest;
import io.meshca.proto.server.v1.DeleteFederatedBundleResponse;
import io.meshca.proto.server.v1.GetBundleRequest;
import io.meshca.proto.server.v1.ListFederatedBundlesRequest;
import io.meshca.proto.server.v1.ListFederatedBundlesResponse;
import io.meshca.proto.server.v1.SetFederatedBundleRequest;
import io.meshca.server.api.convert.BundleProtos;
import io.meshca.server.api.convert.TrustDomainProtos;
import io.meshca.server.ca.CaManager;
import io.meshca.server.federation.FederatedBundles;

/** Admin: the server's own trust bundle and the federated bundles of other trust domains. */
public final class BundlesService extends BundlesGrpc.BundlesImplBase {

    private final CaManager ca;
    private final FederatedBundles federated;

    public BundlesService(CaManager ca, FederatedBundles federated) {
        this.ca = ca;
        this.federated = federated;
    }

    @Override
    public void getBundle(GetBundleRequest request, StreamObserver<Bundle> out) {
        out.onNext(BundleProtos.toProto(ca));
        out.onCompleted();
    }

    @Override
    public void listFederatedBundles(
            ListFederatedBundlesRequest request, StreamObserver<ListFederatedBundlesResponse> out) {
        ListFederatedBundlesResponse.Builder response = ListFederatedBundlesResponse.newBuilder();
        federated.list().forEach(b -> response.addBundles(BundleProtos.toProto(b)));
        out.onNext(response.build());
        out.onCompleted();
    }

    @Override
    public void countFederatedBundles(CountFederatedBundlesRequest request, StreamObserver<CountResponse> out) {
        out.onNext(CountResponse.newBuilder().setCount(federated.count()).build());
        out.onCompleted();
    }

    @Override
    public void setFederatedBundle(SetFederatedBundleRequest request, StreamObserver<Bundle> out) {
        out.onNext(BundleProtos.toProto(federated.set(BundleProtos.fromProto(request.getBundle()))));
        out.onCompleted();
    }

    @Override
    public void deleteFederatedBundle(
            DeleteFederatedBundleRequest request, StreamObserver<DeleteFederatedBundleResponse> out) {
        federated.delete(TrustDomainProtos.fromProto(request.getTrustDomain()));
        out.onNext(DeleteFederatedBundleResponse.getDefaultInstance());
        out.onCompleted();
    }
}
