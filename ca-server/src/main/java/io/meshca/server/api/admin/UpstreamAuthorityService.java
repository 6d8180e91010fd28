package io.meshca.server.api.admin;

import io.grpc.stub.StreamObserver;
import io.meshca.common.error.InvalidArgumentException;
import io.meshca.proto.server.v1.UpstreamAuthorityGrpc;
import io.meshca.proto.server.v1.UpstreamAuthorityRequest;
import io.meshca.proto.server.v1.UpstreamAuthorityResponse;
import io.meshca.server.ca.UpstreamRoots;

/** Admin: taint and revoke of upstream roots ({@code server upstreamauthority taint|revoke}). */
public final class UpstreamAuthorityService extends UpstreamAuthorityGrpc.UpstreamAuthorityImplBase {

    private final UpstreamRoots roots;

    public UpstreamAuthorityService(UpstreamRoots roots) {
        this.roots = roots;
    }

    @Override
    public void taintUpstreamAuthority(
            UpstreamAuthorityRequest request, StreamObserver<UpstreamAuthorityResponse> out) {
        reply(out, roots.taint(id(request)).subjectKeyId());
    }

    @Override
    public void revokeUpstreamAuthority(
            UpstreamAuthorityRequest request, StreamObserver<UpstreamAuthorityResponse> out) {
        reply(out, roots.revoke(id(request)).subjectKeyId());
    }

    private static String id(UpstreamAuthorityRequest request) {
        String id = request.getSubjectKeyId().trim();
        if (id.isEmpty()) {
            throw new InvalidArgumentException("subject_key_id is required");
        }
        return id;
    }

    private static void reply(StreamObserver<UpstreamAuthorityResponse> out, String id) {
        out.onNext(UpstreamAuthorityResponse.newBuilder().setSubjectKeyId(id).build());
        out.onCompleted();
    }
}
