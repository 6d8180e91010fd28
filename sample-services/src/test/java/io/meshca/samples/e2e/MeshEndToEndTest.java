package io.meshca.samples.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshca.common.spiffe.SelectorSet;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.samples.orders.OrdersTraffic;
import io.meshca.samples.payments.PaymentsServer;
import io.meshca.samples.testing.InProcessMesh;
import io.meshca.samples.tls.PeerPolicy;
import io.meshca.server.testing.TestServer;
import io.spiffe.spiffeid.TrustDomain;
import io.spiffe.workloadapi.DefaultWorkloadApiClient;
import io.spiffe.workloadapi.DefaultX509Source;
import io.spiffe.workloadapi.Watcher;
import io.spiffe.workloadapi.WorkloadApiClient;
import io.spiffe.workloadapi.X509Context;
import io.spiffe.workloadapi.X509Source;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real ca-server and a real agent in this JVM, on a real TCP port and a real unix socket; java-spiffe
 * (the reference SPIFFE client) talks to the agent exactly as orders and payments do in the demo. This
 * JVM is attested like any process (its uid), and gets both identities: each source picks its own.
 */
class MeshEndToEndTest {

    private static final SpiffeId NODE = SpiffeId.parse("spiffe://example.org/node/e2e");
    private static final String ORDERS = "spiffe://example.org/orders";
    private static final String PAYMENTS = "spiffe://example.org/payments";
    private static final Duration TTL = Duration.ofSeconds(20);
    private static final Duration DEADLINE = Duration.ofSeconds(60);

    @TempDir
    static Path dir;

    private static InProcessMesh mesh;
    private static TestServer server;
    private static String socket;

    @BeforeAll
    static void startServerAndAgent() throws Exception {
        mesh = InProcessMesh.start(dir, NODE);
        server = mesh.server();
        socket = "unix://" + mesh.agent().socketPath();
        SelectorSet thisUid = InProcessMesh.thisUid();
        server.createEntry(SpiffeId.parse(ORDERS), NODE, thisUid, TTL);
        server.createEntry(SpiffeId.parse(PAYMENTS), NODE, thisUid, TTL);
        // entries reach the agent asynchronously; the sources below need both identities from the start
        try (WorkloadApiClient client = client()) {
            awaitContextWith(client, Set.of(ORDERS, PAYMENTS));
        }
    }

    @AfterAll
    static void stop() {
        if (mesh != null) {
            mesh.close();
        }
    }

    @Test
    void javaSpiffeFetchesAnX509Context_andTwoServicesCompleteAnMtlsHandshake() throws Exception {
        try (WorkloadApiClient client = client()) {
            X509Context context = awaitContextWith(client, Set.of(ORDERS, PAYMENTS));
            assertThat(context.getX509BundleSet()
                            .getBundleForTrustDomain(TrustDomain.parse("example.org"))
                            .getX509Authorities())
                    .containsAll(server.trustBundle());
        }

        try (X509Source orders = sourceFor(ORDERS);
                X509Source payments = sourceFor(PAYMENTS)) {
            assertThat(orders.getX509Svid().getSpiffeId().toString()).isEqualTo(ORDERS);
            assertThat(payments.getX509Svid().getSpiffeId().toString()).isEqualTo(PAYMENTS);
            List<String> refused = new CopyOnWriteArrayList<>();
            PaymentsServer paymentsServer = PaymentsServer.start(
                    new InetSocketAddress("127.0.0.1", 0),
                    payments,
                    PeerPolicy.only("payments", io.spiffe.spiffeid.SpiffeId.parse(ORDERS)),
                    (peer, reason) -> refused.add(peer),
                    (peer, serial) -> {},
                    Duration.ofMinutes(1));
            try (OrdersTraffic traffic = new OrdersTraffic(
                    "127.0.0.1:" + paymentsServer.port(),
                    orders,
                    PeerPolicy.only("orders", io.spiffe.spiffeid.SpiffeId.parse(PAYMENTS)))) {
                assertThat(traffic.payOnce()).isTrue();
                assertThat(traffic.counters().snapshot().failed()).isZero();
            } finally {
                paymentsServer.close();
            }
            assertThat(refused).isEmpty();
        }
    }

    @Test
    void aJavaSpiffeWatcher_seesTheSvidRotate_andTheRotatedSvidWorksInANewHandshake() throws Exception {
        Set<String> serials = ConcurrentHashMap.newKeySet();
        CountDownLatch rotated = new CountDownLatch(2);
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        try (WorkloadApiClient client = client()) {
            client.watchX509Context(new Watcher<>() {
                @Override
                public void onUpdate(X509Context context) {
                    context.getX509Svids().stream()
                            .filter(svid -> svid.getSpiffeId().toString().equals(ORDERS))
                            .map(svid -> svid.getLeaf().getSerialNumber().toString(16))
                            .filter(serials::add)
                            .forEach(serial -> rotated.countDown());
                }

                @Override
                public void onError(Throwable error) {
                    errors.add(error);
                }
            });
            // a 20 s TTL is renewed at about 10 s: two distinct serials well within the deadline
            assertThat(rotated.await(DEADLINE.toSeconds(), TimeUnit.SECONDS))
                    .as("orders serials seen: %s, errors: %s", serials, errors)
                    .isTrue();
        }

        try (X509Source orders = sourceFor(ORDERS);
                X509Source payments = sourceFor(PAYMENTS)) {
            PaymentsServer paymentsServer = PaymentsServer.start(
                    new InetSocketAddress("127.0.0.1", 0),
                    payments,
                    PeerPolicy.only("payments", io.spiffe.spiffeid.SpiffeId.parse(ORDERS)),
                    (peer, reason) -> {},
                    (peer, serial) -> {},
                    Duration.ofMinutes(1));
            try (OrdersTraffic traffic = new OrdersTraffic(
                    "127.0.0.1:" + paymentsServer.port(),
                    orders,
                    PeerPolicy.only("orders", io.spiffe.spiffeid.SpiffeId.parse(PAYMENTS)))) {
                assertThat(traffic.payOnce()).isTrue();
            } finally {
                paymentsServer.close();
            }
        }
    }

    private static X509Source sourceFor(String spiffeId) throws Exception {
        return DefaultX509Source.newSource(DefaultX509Source.X509SourceOptions.builder()
                .spiffeSocketPath(socket)
                .initTimeout(DEADLINE)
                .svidPicker(svids -> svids.stream()
                        .filter(s -> s.getSpiffeId().toString().equals(spiffeId))
                        .findFirst()
                        .orElseThrow(() -> new IllegalStateException("no SVID for " + spiffeId)))
                .build());
    }

    private static WorkloadApiClient client() throws Exception {
        return DefaultWorkloadApiClient.newClient(DefaultWorkloadApiClient.ClientOptions.builder()
                .spiffeSocketPath(socket)
                .build());
    }

    /** Fetches until the context holds every expected identity, or fails at the deadline. */
    private static X509Context awaitContextWith(WorkloadApiClient client, Set<String> ids) throws Exception {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        Exception last = null;
        Set<String> got = Set.of();
        while (System.nanoTime() < deadline) {
            try {
                X509Context context = client.fetchX509Context();
                got = context.getX509Svids().stream()
                        .map(svid -> svid.getSpiffeId().toString())
                        .collect(Collectors.toSet());
                if (got.containsAll(ids)) {
                    return context;
                }
            } catch (Exception e) {
                // PERMISSION_DENIED until the first entry has arrived and been signed
                last = e;
            }
            TimeUnit.MILLISECONDS.sleep(100);
        }
        throw new AssertionError("no X509Context with " + ids + " within " + DEADLINE + ", last had " + got, last);
    }
}
