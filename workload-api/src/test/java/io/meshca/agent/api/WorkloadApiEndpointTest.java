package io.meshca.agent.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.meshca.agent.attestation.workload.UnixWorkloadAttestor;
import io.meshca.agent.attestation.workload.WorkloadAttestor;
import io.meshca.agent.cache.IssuedSvid;
import io.meshca.agent.endpoint.UnixSocketServer;
import io.meshca.agent.testing.FakeWorkloadIdentitySource;
import io.meshca.agent.testing.InProcessServices;
import io.meshca.common.grpc.UnixSockets;
import io.meshca.common.pki.Certificates;
import io.meshca.common.spiffe.Selector;
import io.meshca.proto.workload.SpiffeWorkloadAPIGrpc;
import io.meshca.proto.workload.X509SVIDRequest;
import io.meshca.proto.workload.X509SVIDResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Workload API over a real unix socket: the caller is this JVM, attested from its kernel peer credentials. */
class WorkloadApiEndpointTest {

    private static final FakeWorkloadIdentitySource.Pki PKI = FakeWorkloadIdentitySource.pki();

    @TempDir
    Path dir;

    @Test
    void callerIsAttestedFromPeerCredentials_andGetsTheIdentityItsUidIsEntitledTo() throws Exception {
        IssuedSvid svid = PKI.svid("/test-jvm", "");
        var source = new FakeWorkloadIdentitySource(Selector.parse("unix:uid:" + myUid()), PKI.snapshot(svid));
        Path socket = dir.resolve("public/api.sock");

        try (UnixSocketServer server = WorkloadApiEndpoint.start(socket, source, UnixWorkloadAttestor.system())) {
            ManagedChannel channel = UnixSockets.channel(socket);
            try {
                X509SVIDResponse response = blockingApi(channel)
                        .withDeadlineAfter(10, TimeUnit.SECONDS)
                        .fetchX509SVID(X509SVIDRequest.getDefaultInstance())
                        .next();

                assertThat(response.getSvids(0).getSpiffeId()).isEqualTo("spiffe://example.org/test-jvm");
                assertThat(Certificates.parseConcatenated(
                                response.getSvids(0).getX509Svid().toByteArray()))
                        .isEqualTo(svid.chain());
            } finally {
                UnixSockets.shutdown(channel);
            }
        }
    }

    @Test
    void callerWhoseUidMatchesNoEntry_isPermissionDenied() throws Exception {
        int otherUid = myUid() + 4242;
        var source = new FakeWorkloadIdentitySource(
                Selector.parse("unix:uid:" + otherUid), PKI.snapshot(PKI.svid("/x", "")));
        Path socket = dir.resolve("api.sock");

        try (UnixSocketServer server = WorkloadApiEndpoint.start(socket, source, UnixWorkloadAttestor.system())) {
            ManagedChannel channel = UnixSockets.channel(socket);
            try {
                assertThatThrownBy(() -> blockingApi(channel)
                                .withDeadlineAfter(10, TimeUnit.SECONDS)
                                .fetchX509SVID(X509SVIDRequest.getDefaultInstance())
                                .next())
                        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
                            assertThat(e.getStatus().getDescription()).isEqualTo("no identity issued");
                        });
            } finally {
                UnixSockets.shutdown(channel);
            }
        }
    }

    @Test
    void callWithoutSecurityHeader_isInvalidArgument_overTheSocket() throws Exception {
        var source =
                new FakeWorkloadIdentitySource(Selector.parse("unix:uid:" + myUid()), PKI.snapshot(PKI.svid("/x", "")));
        Path socket = dir.resolve("api.sock");

        try (UnixSocketServer server = WorkloadApiEndpoint.start(socket, source, UnixWorkloadAttestor.system())) {
            ManagedChannel channel = UnixSockets.channel(socket);
            try {
                assertThatThrownBy(() -> SpiffeWorkloadAPIGrpc.newBlockingStub(channel)
                                .withDeadlineAfter(10, TimeUnit.SECONDS)
                                .fetchX509SVID(X509SVIDRequest.getDefaultInstance())
                                .next())
                        .isInstanceOfSatisfying(
                                StatusRuntimeException.class,
                                e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
                assertThat(source.subscriberCount()).isZero();
            } finally {
                UnixSockets.shutdown(channel);
            }
        }
    }

    @Test
    void callersWhoseAttestationHangs_doNotHoldUpTheNextCaller() throws Exception {
        // more hanging callers than the endpoint has call threads on any machine (at most 16)
        int hanging = 20;
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch allHanging = new CountDownLatch(hanging);
        AtomicInteger calls = new AtomicInteger();
        WorkloadAttestor real = UnixWorkloadAttestor.system();
        WorkloadAttestor hangsAtFirst = pid -> {
            if (calls.incrementAndGet() <= hanging) {
                allHanging.countDown();
                try {
                    release.await(); // as a read of a binary on a stuck NFS mount would
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return real.attest(pid);
        };
        var source =
                new FakeWorkloadIdentitySource(Selector.parse("unix:uid:" + myUid()), PKI.snapshot(PKI.svid("/x", "")));
        Path socket = dir.resolve("api.sock");

        try (UnixSocketServer server = WorkloadApiEndpoint.start(socket, source, hangsAtFirst)) {
            ManagedChannel channel = UnixSockets.channel(socket);
            try {
                for (int i = 0; i < hanging; i++) {
                    SpiffeWorkloadAPIGrpc.newStub(channel)
                            .withInterceptors(InProcessServices.withSecurityHeader())
                            .fetchX509SVID(X509SVIDRequest.getDefaultInstance(), new StreamObserver<>() {
                                @Override
                                public void onNext(X509SVIDResponse value) {}

                                @Override
                                public void onError(Throwable t) {}

                                @Override
                                public void onCompleted() {}
                            });
                }
                assertThat(allHanging.await(10, TimeUnit.SECONDS))
                        .as("every hanging caller reached attestation")
                        .isTrue();

                X509SVIDResponse response = blockingApi(channel)
                        .withDeadlineAfter(10, TimeUnit.SECONDS)
                        .fetchX509SVID(X509SVIDRequest.getDefaultInstance())
                        .next();

                assertThat(response.getSvids(0).getSpiffeId()).isEqualTo("spiffe://example.org/x");
                assertThat(release.getCount())
                        .as("answered while the others still hang")
                        .isOne();
            } finally {
                release.countDown();
                UnixSockets.shutdown(channel);
            }
        }
    }

    private static SpiffeWorkloadAPIGrpc.SpiffeWorkloadAPIBlockingStub blockingApi(ManagedChannel channel) {
        return SpiffeWorkloadAPIGrpc.newBlockingStub(channel).withInterceptors(InProcessServices.withSecurityHeader());
    }

    private static int myUid() throws Exception {
        return Files.readAllLines(Path.of("/proc/self/status")).stream()
                .filter(line -> line.startsWith("Uid:"))
                .map(line -> Integer.parseInt(line.substring(4).trim().split("\\s+")[1]))
                .findFirst()
                .orElseThrow();
    }
}
