package io.meshca.agent.api;

import static io.meshca.agent.testing.InProcessServices.withSecurityHeader;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
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
import io.meshca.common.testing.FakeClock;
import io.meshca.proto.workload.SpiffeWorkloadAPIGrpc;
import io.meshca.proto.workload.X509SVIDRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** The caller's selectors come from attesting the connection's peer, and only while the peer is the process that connected. */
class WorkloadAttestationInterceptorTest {

    private static final Selector ORDERS = Selector.parse("unix:uid:1001");
    private static final FakeWorkloadIdentitySource.Pki PKI = FakeWorkloadIdentitySource.pki();
    private static final String STAT = "4242 (java) S 1 4242 4242 0 -1 4194560 100 0 0 0 5 1 0 0 20 0 20 0 %d 1000 100";

    @TempDir
    Path dir;

    private Path proc;

    private final FakeClock clock = new FakeClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();

    @BeforeEach
    void captureLogs() {
        logs.start();
        ((Logger) LoggerFactory.getLogger(DeniedCallerLog.class)).addAppender(logs);
    }

    @AfterEach
    void releaseLogs() {
        ((Logger) LoggerFactory.getLogger(DeniedCallerLog.class)).detachAppender(logs);
    }

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

    @Test
    void callerMatchingNoEntry_isLoggedWithPidAndSelectors_onceAMinute() throws Exception {
        Selector path = Selector.parse("unix:path:/usr/bin/python3");
        var api = start(
                new UnixPeer(4242, 1002, List.of(), 777), pid -> SelectorSet.of(Selector.parse("unix:uid:1002"), path));

        assertDenied(api, SnapshotStream.NO_IDENTITY);
        assertDenied(api, SnapshotStream.NO_IDENTITY);

        assertThat(logs.list).singleElement().satisfies(event -> {
            assertThat(event.getLevel()).isEqualTo(Level.INFO);
            assertThat(event.getFormattedMessage())
                    .isEqualTo("workload pid 4242 (uid 1002) denied on FetchX509SVID: no registration entry"
                            + " matches its selectors [unix:path:/usr/bin/python3, unix:uid:1002]"
                            + " (not repeated for this caller for 1m)");
        });

        clock.advance(DeniedCallerLog.WINDOW.minusSeconds(1));
        assertDenied(api, SnapshotStream.NO_IDENTITY);
        assertThat(logs.list).hasSize(1);

        clock.advance(Duration.ofSeconds(1));
        assertDenied(api, SnapshotStream.NO_IDENTITY);
        assertThat(logs.list).hasSize(2);
    }

    @Test
    void deniedCallersWithOtherSelectors_areEachLogged() throws Exception {
        AtomicReference<Selector> found = new AtomicReference<>(Selector.parse("unix:uid:1002"));
        var api = start(new UnixPeer(4242, 1002, List.of(), 777), pid -> SelectorSet.of(found.get()));

        assertDenied(api, SnapshotStream.NO_IDENTITY);
        found.set(Selector.parse("unix:gid:1003"));
        assertDenied(api, SnapshotStream.NO_IDENTITY);

        assertThat(logs.list)
                .extracting(ILoggingEvent::getFormattedMessage)
                .satisfiesExactly(
                        line -> assertThat(line).contains("[unix:uid:1002]"),
                        line -> assertThat(line).contains("[unix:gid:1003]"));
    }

    @Test
    void entitledCaller_isNotLogged() throws Exception {
        var api = start(new UnixPeer(4242, 1001, List.of(), 777), pid -> SelectorSet.of(ORDERS));

        api.fetchX509SVID(X509SVIDRequest.getDefaultInstance()).next();

        assertThat(logs.list).isEmpty();
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
                new WorkloadAttestationInterceptor(attestor, new ProcessStartTimes(proc), clock),
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
