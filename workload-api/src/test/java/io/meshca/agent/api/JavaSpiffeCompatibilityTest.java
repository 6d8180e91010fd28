package io.meshca.agent.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshca.agent.cache.IssuedSvid;
import io.meshca.agent.endpoint.UnixSocketServer;
import io.meshca.agent.testing.FakeWorkloadIdentitySource;
import io.meshca.common.spiffe.Selector;
import io.meshca.common.spiffe.SelectorSet;
import io.spiffe.bundle.x509bundle.X509BundleSet;
import io.spiffe.spiffeid.TrustDomain;
import io.spiffe.workloadapi.DefaultWorkloadApiClient;
import io.spiffe.workloadapi.DefaultX509Source;
import io.spiffe.workloadapi.WorkloadApiClient;
import io.spiffe.workloadapi.X509Context;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** java-spiffe, the reference Java client, against our Workload API on a real socket. */
class JavaSpiffeCompatibilityTest {

    private static final Selector ORDERS = Selector.parse("unix:java-main:io.demo.Orders");
    private static final FakeWorkloadIdentitySource.Pki PKI = FakeWorkloadIdentitySource.pki();

    @TempDir
    Path dir;

    @Test
    void javaSpiffe_fetchesTheX509ContextAndBundles() throws Exception {
        IssuedSvid svid = PKI.svid("/orders", "");
        var source = new FakeWorkloadIdentitySource(ORDERS, PKI.snapshot(svid));
        Path socket = dir.resolve("api.sock");

        try (UnixSocketServer server = WorkloadApiEndpoint.start(socket, source, pid -> SelectorSet.of(ORDERS));
                WorkloadApiClient client =
                        DefaultWorkloadApiClient.newClient(DefaultWorkloadApiClient.ClientOptions.builder()
                                .spiffeSocketPath("unix:" + socket)
                                .build())) {
            X509Context context = client.fetchX509Context();

            assertThat(context.getDefaultSvid().getSpiffeId().toString()).isEqualTo("spiffe://example.org/orders");
            assertThat(context.getDefaultSvid().getChain()).isEqualTo(svid.chain());
            assertThat(context.getDefaultSvid().getPrivateKey().getEncoded())
                    .isEqualTo(svid.privateKey().getEncoded());
            assertThat(context.getX509BundleSet()
                            .getBundleForTrustDomain(TrustDomain.parse("example.org"))
                            .getX509Authorities())
                    .containsExactly(PKI.root().certificate());
            assertThat(context.getX509BundleSet()
                            .getBundleForTrustDomain(TrustDomain.parse("partner.org"))
                            .getX509Authorities())
                    .containsExactly(PKI.partnerRoot().certificate());

            X509BundleSet bundles = client.fetchX509Bundles();
            assertThat(bundles.getBundles().keySet())
                    .extracting(TrustDomain::getName)
                    .containsExactlyInAnyOrder("example.org", "partner.org");
        }
    }

    @Test
    void javaSpiffeX509Source_seesARotatedSvid_withoutReconnecting() throws Exception {
        var source = new FakeWorkloadIdentitySource(ORDERS, PKI.snapshot(PKI.svid("/orders", "")));
        Path socket = dir.resolve("api.sock");

        try (UnixSocketServer server = WorkloadApiEndpoint.start(socket, source, pid -> SelectorSet.of(ORDERS));
                DefaultX509Source x509Source = DefaultX509Source.newSource(DefaultX509Source.X509SourceOptions.builder()
                        .spiffeSocketPath("unix:" + socket)
                        .initTimeout(Duration.ofSeconds(10))
                        .build())) {
            assertThat(x509Source.getX509Svid().getSpiffeId().toString()).isEqualTo("spiffe://example.org/orders");

            IssuedSvid rotated = PKI.svid("/orders", "");
            source.publish(PKI.snapshot(rotated));

            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!x509Source.getX509Svid().getLeaf().equals(rotated.leaf())) {
                assertThat(System.nanoTime())
                        .as("rotation seen by java-spiffe within 10s")
                        .isLessThan(deadline);
                TimeUnit.MILLISECONDS.sleep(10);
            }
        }
    }
}
