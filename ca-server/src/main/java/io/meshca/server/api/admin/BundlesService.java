package io.meshca.server.api.admin;

import io.grpc.stub.StreamObserver;
import io.meshca.common.error.GrpcErrors;
import io.meshca.proto.server.v1.Bundle;
import io.meshca.proto.server.v1.BundlesGrpc;
import io.meshca.proto.server.v1.GetBundleRequest;
import io.meshca.server.api.convert.Protos;
import io.meshca.server.ca.CaManager;

/** Admin: the server's own trust bundle. */
public final class BundlesService extends BundlesGrpc.BundlesImplBase {

    private final CaManager ca;

    public BundlesService(CaManager ca) {
        this.ca = ca;
    }

    @Override
    public void getBundle(GetBundleRequest request, StreamObserver<Bundle> out) {
        try {
            out.onNext(Protos.bundle(ca));
            out.onCompleted();
        } catch (RuntimeException e) {
            out.onError(GrpcErrors.toStatus(e));
        }
    }
}
