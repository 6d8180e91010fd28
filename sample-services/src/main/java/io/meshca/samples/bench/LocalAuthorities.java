package io.meshca.samples.bench;

import io.grpc.ManagedChannel;
import io.meshca.common.grpc.UnixSockets;
import io.meshca.proto.server.v1.AuthorityState;
import io.meshca.proto.server.v1.GetLocalAuthorityStateRequest;
import io.meshca.proto.server.v1.LocalAuthorityGrpc;
import io.meshca.proto.server.v1.LocalAuthorityRequest;
import io.meshca.proto.server.v1.PrepareLocalAuthorityRequest;
import io.meshca.server.api.admin.AdminClient;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The server's X.509 authorities through its admin socket, as {@code server localauthority x509
 * show|prepare|activate|taint|revoke} drives them (the same LocalAuthority service and rules).
 */
final class LocalAuthorities implements AutoCloseable {

    private final ManagedChannel channel;

    LocalAuthorities(Path adminSocket) {
        this.channel = UnixSockets.channel(adminSocket);
    }

    /** The authority that signs now. */
    AuthorityState active() {
        return stub()
                .getX509AuthorityState(GetLocalAuthorityStateRequest.getDefaultInstance())
                .getAuthoritiesList()
                .stream()
                .filter(a -> a.getStatus() == AuthorityState.Status.ACTIVE)
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("the server shows no ACTIVE X.509 authority"));
    }

    AuthorityState prepare() {
        return stub().prepareX509Authority(PrepareLocalAuthorityRequest.getDefaultInstance());
    }

    AuthorityState activate(String authorityId) {
        return stub().activateX509Authority(request(authorityId));
    }

    AuthorityState taint(String authorityId) {
        return stub().taintX509Authority(request(authorityId));
    }

    AuthorityState revoke(String authorityId) {
        return stub().revokeX509Authority(request(authorityId));
    }

    private LocalAuthorityGrpc.LocalAuthorityBlockingStub stub() {
        return LocalAuthorityGrpc.newBlockingStub(channel)
                .withDeadlineAfter(AdminClient.DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static LocalAuthorityRequest request(String authorityId) {
        return LocalAuthorityRequest.newBuilder().setAuthorityId(authorityId).build();
    }

    @Override
    public void close() {
        UnixSockets.shutdown(channel);
    }
}
