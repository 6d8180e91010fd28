package io.meshca.agent.api;

import static io.meshca.agent.testing.InProcessServices.withSecurityHeader;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Attributes;
import io.grpc.ForwardingServerCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.meshca.agent.attestation.workload.ProcessStartTimes;
import io.meshca.agent.attestation.workload.WorkloadAttestor;
import io.meshca.agent.endpoint.UnixPeer;
import io.meshca.agent.testing.FakeWorkloadIdentitySource;
import io.meshca.agent.testing.InProcessServices;
import io.meshca.common.error.PermissionDeniedException;
import io.meshca.common.spiffe.Selector;
import io.meshca.common.spiffe.SelectorSet;
import io.meshca.proto.workload.SpiffeWorkloadAPIGrpc;
import io.meshca.proto.workload.X509SVIDRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The caller's selectors come from attesting the connection's peer, and only while the peer is the process that connected. */
class WorkloadAttestationInterceptorTest {

    private static final Selector ORDERS = Selector.parse("unix:uid:1001");
    private static final FakeWorkloadIdentitySource.Pki PKI = FakeWorkloadIdentitySource.pki();
    private static final String STAT = "4242 (java) S 1 4242 4242 0 -1 4194560 100 0 0 0 5 1 0 0 20 0 20 0 %d 1000 100";

    @TempDir
    Path dir;

    private Path proc;

    @RegisterExtension
    final InProcessServices services = new InProcessServices();

    @BeforeEach
    void fakeProc() throws Exception {
        proc = dir.resolve("proc");
        Files.createDirectories(proc.resolve("4242"));
        Files.writeString(proc.resolve("4242/stat"), STAT.formatted(777));
    }

    @Test
    void attestedPeer_getsTheIdentityOfItsSelectors() throws Exception {
        var api = start(new UnixPeer(4242, 1001, List.of(), 777), pid -> SelectorSet.of(ORDERS));

        assertThat(api.fetchX509SVID(X509SVIDRequest.getDefaultInstance())
                        .next()
                        .getSvids(0)
                        .getSpiffeId())
                .isEqualTo("spiffe://example.org/orders");
    }

    @Test
    void pidNowNamingAnotherProcess_isRefused() throws Exception {
        // The process that connected has exited; a newer one (later start time) got its PID.
        Files.writeString(proc.resolve("4242/stat"), STAT.formatted(900));
        var api = start(new UnixPeer(4242, 1001, List.of(), 777), pid -> SelectorSet.of(ORDERS));

        assertDenied(api, WorkloadAttestationInterceptor.PEER_EXITED);
    }

    @Test
    void attestationFailure_isRefusedWithItsMessage() throws Exception {
        var api = start(new UnixPeer(4242, 1001, List.of(), 777), pid -> {
            throw new PermissionDeniedException("process exited during attestation");
        });

        assertDenied(api, "process exited during attestation");
    }

    @Test
    void callWithoutPeer_isRefused() throws Exception {
        var api = start(null, pid -> SelectorSet.of(ORDERS));

        assertDenied(api, WorkloadAttestationInterceptor.NO_PEER);
    }

    private static void assertDenied(SpiffeWorkloadAPIGrpc.SpiffeWorkloadAPIBlockingStub api, String message) {
        assertThatThrownBy(() ->
                        api.fetchX509SVID(X509SVIDRequest.getDefaultInstance()).next())
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
                    assertThat(e.getStatus().getDescription()).isEqualTo(message);
                });
    }

    private SpiffeWorkloadAPIGrpc.SpiffeWorkloadAPIBlockingStub start(UnixPeer peer, WorkloadAttestor attestor)
            throws Exception {
        var source = new FakeWorkloadIdentitySource(ORDERS, PKI.snapshot(PKI.svid("/orders", "")));
        ManagedChannel channel = services.start(ServerInterceptors.intercept(
                new WorkloadApiService(source),
                new WorkloadAttestationInterceptor(attestor, new ProcessStartTimes(proc)),
                transportPeer(peer)));
        return SpiffeWorkloadAPIGrpc.newBlockingStub(channel).withInterceptors(withSecurityHeader());
    }

    /** Stands in for the unix socket endpoint, which puts the kernel-reported peer in the transport attributes. */
    private static ServerInterceptor transportPeer(UnixPeer peer) {
        return new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(
                    ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
                if (peer == null) {
                    return next.startCall(call, headers);
                }
                return next.startCall(
                        new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
                            @Override
                            public Attributes getAttributes() {
                                return super.getAttributes().toBuilder()
                                        .set(UnixPeer.TRANSPORT_ATTR, peer)
                                        .build();
                            }
                        },
                        headers);
            }
        };
    }
}
