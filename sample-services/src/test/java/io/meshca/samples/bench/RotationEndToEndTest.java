package io.meshca.samples.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.envoyproxy.envoy.service.secret.v3.SecretDiscoveryServiceGrpc;
import io.grpc.ManagedChannel;
import io.meshca.common.grpc.UnixSockets;
import io.meshca.common.pki.Pem;
import io.meshca.samples.status.StatusLine;
import io.meshca.server.model.LocalX509Authority;
import io.spiffe.spiffeid.TrustDomain;
import io.spiffe.workloadapi.DefaultWorkloadApiClient;
import io.spiffe.workloadapi.WorkloadApiClient;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The rotation bench's mesh as a specification, at the server's shortest CA lifetime (1 minute, so
 * prepared at 30 s, active at 50 s): one orders → payments pair calls over mTLS through java-spiffe
 * while the CA rotates twice on its own, without a single failed request; then a break-glass taint of
 * the OLD CA the SVIDs came from has the agent re-issue them within seconds, and its revocation takes it
 * out of the bundle that java-spiffe and SDS serve. The CAs are self-signed here, so each new CA is a
 * new root that must reach every workload's bundle before anything it signed does. About two minutes.
 */
class RotationEndToEndTest {

    private static final Duration CA_TTL = Duration.ofMinutes(1);
    private static final Duration TWO_ROTATIONS = Duration.ofSeconds(150);
    private static final Duration WITHIN_SECONDS = Duration.ofSeconds(10);
    private static final String TYPE_URL = "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret";

    private final List<StatusLine.RequestFailed> failures = new CopyOnWriteArrayList<>();
    private final List<String> refusals = new CopyOnWriteArrayList<>();

    @Test
    void twoAutomaticRotationsWithoutAFailure_thenTaintReissues_andRevokeLeavesTheBundle() throws Exception {
        try (RotationMesh mesh = RotationMesh.start(CA_TTL, Optional.empty())) {
            mesh.register(MtlsPair.ordersId(RotationMesh.TRUST_DOMAIN, 1).toString());
            mesh.register(MtlsPair.paymentsId(RotationMesh.TRUST_DOMAIN, 1).toString());
            try (MtlsPair pair = MtlsPair.open(
                    RotationMesh.TRUST_DOMAIN,
                    1,
                    mesh.workloadApi(),
                    Duration.ofSeconds(60),
                    failures::add,
                    (by, peer, reason) -> refusals.add(by + " refused " + peer + ": " + reason))) {
                Operator operator = new Operator(mesh.admin(), pair.workloads(), WITHIN_SECONDS);
                pair.start(20);

                List<String> actives = awaitAutomaticRotations(operator, 2);
                assertThat(actives).hasSize(3);
                assertThat(failures).as("failed requests").isEmpty();
                assertThat(refusals).as("refused handshakes").isEmpty();
                assertThat(pair.succeeded()).as("requests that succeeded").isGreaterThan(100);

                LocalX509Authority old = operator.oldCaInUse();
                Map<Workload, X509Certificate> leavesBefore = leaves(pair.workloads());
                Latencies reissue = new Latencies();
                List<Workload> reissued = operator.taintLocal(old.authorityId(), reissue);

                assertThat(reissued)
                        .as("workloads holding an SVID of the tainted CA")
                        .isNotEmpty();
                String active = operator.active().authorityId();
                for (Workload workload : reissued) {
                    X509Certificate before = leavesBefore.get(workload);
                    X509Certificate after = workload.svid().getLeaf();
                    assertThat(after.getSerialNumber()).as(workload + " serial").isNotEqualTo(before.getSerialNumber());
                    assertThat(workload.issuerKeyId()).as(workload + " issuer").contains(active);
                }
                assertThat(Latencies.merge(List.of(reissue)).percentileMillis(100))
                        .as("slowest re-issue, ms")
                        .isLessThan(WITHIN_SECONDS.toMillis());

                assertThat(javaSpiffeBundle(mesh)).contains(old.certificate());
                operator.revokeLocal(old.authorityId());
                assertThat(awaitBundleWithout(mesh, old.certificate()))
                        .as("java-spiffe's FetchX509Bundles after the revocation")
                        .doesNotContain(old.certificate())
                        .contains(operator.active().certificate());
                assertThat(sdsRootCa(mesh)).as("SDS ROOTCA").doesNotContain(old.certificate());

                long before = pair.succeeded();
                awaitMoreRequests(pair, before + 20);
                assertThat(failures).as("failed requests").isEmpty();
                assertThat(refusals).as("refused handshakes").isEmpty();
            }
        }
    }

    /** The ACTIVE CAs seen, from the first, until {@code rotations} more took over (polled every 250 ms). */
    private static List<String> awaitAutomaticRotations(Operator operator, int rotations) throws InterruptedException {
        Set<String> seen = new LinkedHashSet<>();
        seen.add(operator.active().authorityId());
        long deadline = System.nanoTime() + TWO_ROTATIONS.toNanos();
        while (seen.size() <= rotations && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(250);
            seen.add(operator.active().authorityId());
        }
        return new ArrayList<>(seen);
    }

    private static Map<Workload, X509Certificate> leaves(List<Workload> workloads) {
        Map<Workload, X509Certificate> leaves = new HashMap<>();
        workloads.forEach(w -> leaves.put(w, w.svid().getLeaf()));
        return leaves;
    }

    private static Set<X509Certificate> javaSpiffeBundle(RotationMesh mesh) throws Exception {
        try (WorkloadApiClient client =
                DefaultWorkloadApiClient.newClient(DefaultWorkloadApiClient.ClientOptions.builder()
                        .spiffeSocketPath(mesh.workloadApi())
                        .build())) {
            return client.fetchX509Bundles()
                    .getBundleForTrustDomain(TrustDomain.parse(RotationMesh.TRUST_DOMAIN))
                    .getX509Authorities();
        }
    }

    /** The bundle reaches the agent through its watch: polled for a few seconds. */
    private static Set<X509Certificate> awaitBundleWithout(RotationMesh mesh, X509Certificate revoked)
            throws Exception {
        long deadline = System.nanoTime() + WITHIN_SECONDS.toNanos();
        Set<X509Certificate> bundle = javaSpiffeBundle(mesh);
        while (bundle.contains(revoked) && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(100);
            bundle = javaSpiffeBundle(mesh);
        }
        return bundle;
    }

    /** What an Envoy asking the agent's SDS for ROOTCA gets as trusted CAs. */
    private static List<X509Certificate> sdsRootCa(RotationMesh mesh) throws Exception {
        ManagedChannel channel = UnixSockets.channel(mesh.agentSocket());
        try {
            DiscoveryResponse response = SecretDiscoveryServiceGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(10, TimeUnit.SECONDS)
                    .fetchSecrets(DiscoveryRequest.newBuilder()
                            .setTypeUrl(TYPE_URL)
                            .setNode(Node.newBuilder().setId("rotation-test"))
                            .addResourceNames("ROOTCA")
                            .build());
            List<X509Certificate> roots = new ArrayList<>();
            for (Any resource : response.getResourcesList()) {
                roots.addAll(Pem.decodeCertificates(resource.unpack(Secret.class)
                        .getValidationContext()
                        .getTrustedCa()
                        .getInlineBytes()
                        .toString(StandardCharsets.US_ASCII)));
            }
            assertThat(roots).as("ROOTCA's trusted CAs").isNotEmpty();
            return roots;
        } finally {
            UnixSockets.shutdown(channel);
        }
    }

    private static void awaitMoreRequests(MtlsPair pair, long atLeast) throws InterruptedException {
        long deadline = System.nanoTime() + WITHIN_SECONDS.toNanos();
        while (pair.succeeded() + pair.failed() < atLeast && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(100);
        }
        assertThat(pair.succeeded() + pair.failed())
                .as("requests after the revocation")
                .isGreaterThanOrEqualTo(atLeast);
    }
}
