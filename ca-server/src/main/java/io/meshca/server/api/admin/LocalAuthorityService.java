package io.meshca.server.api.admin;

import io.grpc.stub.StreamObserver;
import io.meshca.common.error.InvalidArgumentException;
import io.meshca.proto.server.v1.AuthorityState;
import io.meshca.proto.server.v1.GetLocalAuthorityStateRequest;
import io.meshca.proto.server.v1.LocalAuthorityGrpc;
import io.meshca.proto.server.v1.LocalAuthorityRequest;
import io.meshca.proto.server.v1.LocalAuthorityState;
import io.meshca.proto.server.v1.PrepareLocalAuthorityRequest;
import io.meshca.server.api.convert.AuthorityProtos;
import io.meshca.server.ca.X509CaSlots;
import io.meshca.server.ca.jwt.JwtKeySlots;

/**
 * Admin: the server's own authorities in their slots ({@code server localauthority x509|jwt ...}). The
 * slot rules (activate the prepared one, taint an OLD one, revoke a tainted one) live in the slots; a
 * refusal reaches the operator as FAILED_PRECONDITION with the rule in words.
 */
public final class LocalAuthorityService extends LocalAuthorityGrpc.LocalAuthorityImplBase {

    private final X509CaSlots x509;
    private final JwtKeySlots jwt;

    public LocalAuthorityService(X509CaSlots x509, JwtKeySlots jwt) {
        this.x509 = x509;
        this.jwt = jwt;
    }

    @Override
    public void getX509AuthorityState(GetLocalAuthorityStateRequest request, StreamObserver<LocalAuthorityState> out) {
        reply(out, AuthorityProtos.x509State(x509.state()));
    }

    @Override
    public void prepareX509Authority(PrepareLocalAuthorityRequest request, StreamObserver<AuthorityState> out) {
        reply(out, AuthorityProtos.toProto(x509.prepareNow()));
    }

    @Override
    public void activateX509Authority(LocalAuthorityRequest request, StreamObserver<AuthorityState> out) {
        reply(out, AuthorityProtos.toProto(x509.activate(id(request))));
    }

    @Override
    public void taintX509Authority(LocalAuthorityRequest request, StreamObserver<AuthorityState> out) {
        reply(out, AuthorityProtos.toProto(x509.taint(id(request))));
    }

    @Override
    public void revokeX509Authority(LocalAuthorityRequest request, StreamObserver<AuthorityState> out) {
        reply(out, AuthorityProtos.toProto(x509.revoke(id(request))));
    }

    @Override
    public void getJwtAuthorityState(GetLocalAuthorityStateRequest request, StreamObserver<LocalAuthorityState> out) {
        reply(out, AuthorityProtos.jwtState(jwt.state()));
    }

    @Override
    public void prepareJwtAuthority(PrepareLocalAuthorityRequest request, StreamObserver<AuthorityState> out) {
        reply(out, AuthorityProtos.toProto(jwt.prepareNext().authority()));
    }

    @Override
    public void activateJwtAuthority(LocalAuthorityRequest request, StreamObserver<AuthorityState> out) {
        reply(out, AuthorityProtos.toProto(jwt.activate(id(request))));
    }

    @Override
    public void taintJwtAuthority(LocalAuthorityRequest request, StreamObserver<AuthorityState> out) {
        reply(out, AuthorityProtos.toProto(jwt.taint(id(request))));
    }

    @Override
    public void revokeJwtAuthority(LocalAuthorityRequest request, StreamObserver<AuthorityState> out) {
        reply(out, AuthorityProtos.toProto(jwt.revoke(id(request))));
    }

    private static String id(LocalAuthorityRequest request) {
        String id = request.getAuthorityId().trim();
        if (id.isEmpty()) {
            throw new InvalidArgumentException("authority_id is required (see localauthority show)");
        }
        return id;
    }

    private static <T> void reply(StreamObserver<T> out, T value) {
        out.onNext(value);
        out.onCompleted();
    }
}
