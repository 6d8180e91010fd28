package io.meshca.samples.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshca.agent.config.AgentConfig;
import io.meshca.agent.testing.RunningAgent;
import io.meshca.common.bundle.SpiffeBundle;
import io.meshca.common.spiffe.Selector;
import io.meshca.common.spiffe.SelectorSet;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.common.spiffe.TrustDomain;
import io.meshca.common.testing.TestPki;
import io.meshca.samples.orders.OrdersTraffic;
import io.meshca.samples.payments.PaymentsServer;
import io.meshca.samples.tls.PeerPolicy;
import io.meshca.server.config.FederationConfig;
import io.meshca.server.model.FederationRelationship;
import io.meshca.server.model.FederationRelationship.Profile;
import io.meshca.server.model.RegistrationEntry;
import io.meshca.server.testing.TestServer;
import io.meshca.server.testing.WebServingFiles;
import io.spiffe.svid.jwtsvid.JwtSvid;
import io.spiffe.workloadapi.DefaultWorkloadApiClient;
import io.spiffe.workloadapi.DefaultX509Source;
import io.spiffe.workloadapi.WorkloadApiClient;
import io.spiffe.workloadapi.X509Source;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Federation end to end on loopback: trust domains a.test and b.test, each a real ca-server and agent,
 * federated both ways over their bundle endpoints — a.test serves https_web (a certificate from files,
 * b.test trusts its CA file), b.test serves https_spiffe (a.test authenticates it with b's bundle,
 * given once). A workload of a.test and one of b.test complete mutual TLS with nothing but what
 * their agent's Workload API gave them (java-spiffe sources); a workload of c.test, which nobody
 * federates with, is refused.
 */
class FederationEndToEndTest {

    private static final Duration DEADLINE = Duration.ofSeconds(60);
    private static final String ORDERS = "spiffe://a.test/orders";
    private static final String PAYMENTS = "spiffe://b.test/payments";
    private static final String INTRUDER = "spiffe://c.test/orders";

    @TempDir
    static Path dir;

    private static final List<AutoCloseable> running = new CopyOnWriteArrayList<>();
    private static TestServer a;
    private static TestServer b;
    private static String socketA;
    private static String socketB;
    private static String socketC;

    @BeforeAll
    static void startThreeTrustDomains() throws Exception {
        WebServingFiles web = WebServingFiles.write(dir);
        Path cert = web.certificate();
        Path key = web.key();
        Path webCaFile = web.caFile();

        a = server("a.test", new FederationConfig.Endpoint("127.0.0.1", 0, cert, key, Duration.ofSeconds(5)));
        b = server("b.test", new FederationConfig.Endpoint("127.0.0.1", 0, null, null, Duration.ofSeconds(5)));
        TestServer c = server("c.test", null);

        // b.test → a.test over https_web; a.test → b.test over https_spiffe, starting from b's bundle
        b.admin()
                .createFederationRelationship(
                        new FederationRelationship(
                                TrustDomain.parse("a.test"),
                                URI.create("https://localhost:"
                                        + a.bundleEndpointPort().orElseThrow() + "/"),
                                Profile.HTTPS_WEB,
                                null,
                                webCaFile),
                        Optional.empty());
        a.admin()
                .createFederationRelationship(
                        new FederationRelationship(
                                TrustDomain.parse("b.test"),
                                URI.create("https://127.0.0.1:"
                                        + b.bundleEndpointPort().orElseThrow() + "/"),
                                Profile.HTTPS_SPIFFE,
                                SpiffeId.parse("spiffe://b.test/meshca/server"),
                                null),
                        Optional.of(new SpiffeBundle(
                                TrustDomain.parse("b.test"), b.trustBundle(), List.of(), 0, Duration.ZERO)));

        socketA = agent(a, "a");
        socketB = agent(b, "b");
        socketC = agent(c, "c");
        workload(a, ORDERS, "b.test");
        workload(b, PAYMENTS, "a.test");
        workload(c, INTRUDER);
    }

    private static TestServer server(String td, FederationConfig.Endpoint endpoint) throws Exception {
        FederationConfig federation =
                new FederationConfig(endpoint, List.of(), Duration.ofSeconds(1), Duration.ofSeconds(5));
        TestServer server = TestServer.start(TestServer.config(dir.resolve(td))
                .trustDomain(TrustDomain.parse(td))
                .federation(federation)
                .build());
        running.add(0, server);
        return server;
    }

    private static SpiffeId node(TestServer server) {
        return server.trustDomain().withPath("/node/e2e");
    }

    private static String agent(TestServer server, String name) throws Exception {
        Path bundle = Files.writeString(dir.resolve(name + "-bundle.pem"), server.trustBundlePem());
        RunningAgent agent = RunningAgent.start(AgentConfig.builder()
                .trustDomain(server.trustDomain().name())
                .serverAddress("127.0.0.1")
                .serverPort(server.agentApiPort())
                .socketPath(dir.resolve(name + "/agent/api.sock"))
                .trustBundle(bundle)
                .joinToken(server.generateJoinToken(Duration.ofMinutes(10), Optional.of(node(server))))
                .dataDir(dir.resolve(name + "/agent-data"))
                .build());
        running.add(0, agent);
        return "unix://" + agent.socketPath();
    }

    private static void workload(TestServer server, String id, String... federatesWith) throws Exception {
        long uid = ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
        server.createEntry(RegistrationEntry.draft(
                        SpiffeId.parse(id), node(server), SelectorSet.of(Selector.parse("unix:uid:" + uid)))
                .withFederatesWith(List.of(federatesWith)));
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : running) {
            try {
                c.close();
            } catch (Exception ignored) {
                // best effort: the next one must still close
            }
        }
    }

    @Test
    void workloadsOfFederatedDomains_completeMutualTls_andANonFederatedDomainIsRefused() throws Exception {
        try (X509Source orders = source(socketA);
                X509Source payments = source(socketB);
                X509Source intruder = source(socketC)) {
            // each side holds the other's bundle once the refresher and the watch have delivered it
            await(() -> has(orders, "b.test") && has(payments, "a.test"));
            assertThat(orders.getBundleForTrustDomain(io.spiffe.spiffeid.TrustDomain.parse("b.test"))
                            .getX509Authorities())
                    .containsExactlyInAnyOrderElementsOf(b.trustBundle());
            // nobody federates with c.test: its workload holds no a/b bundle, and a and b hold none of c's
            assertThat(has(intruder, "a.test") || has(intruder, "b.test")).isFalse();
            assertThat(has(payments, "c.test") || has(orders, "c.test")).isFalse();

            List<String> refused = new CopyOnWriteArrayList<>();
            PaymentsServer paymentsServer = PaymentsServer.start(
                    new InetSocketAddress("127.0.0.1", 0),
                    payments,
                    new PeerPolicy(
                            "payments",
                            Set.of(
                                    io.spiffe.spiffeid.SpiffeId.parse(ORDERS),
                                    io.spiffe.spiffeid.SpiffeId.parse(INTRUDER))),
                    (peer, reason) -> refused.add(reason),
                    (peer, serial) -> {},
                    Duration.ofMinutes(1));
            try {
                PeerPolicy expectPayments = PeerPolicy.only("orders", io.spiffe.spiffeid.SpiffeId.parse(PAYMENTS));
                try (OrdersTraffic traffic =
                        new OrdersTraffic("127.0.0.1:" + paymentsServer.port(), orders, expectPayments)) {
                    assertThat(traffic.payOnce()).isTrue();
                }
                assertThat(refused).isEmpty();
                try (OrdersTraffic traffic =
                        new OrdersTraffic("127.0.0.1:" + paymentsServer.port(), intruder, expectPayments)) {
                    assertThat(traffic.payOnce()).isFalse();
                }
            } finally {
                paymentsServer.close();
            }
        }
    }

    @Test
    void jwtSvidOfAFederatedDomain_validatesThroughTheOtherAgent_butNotThroughANonFederatedOne() throws Exception {
        try (WorkloadApiClient ordersApi = client(socketA);
                WorkloadApiClient paymentsApi = client(socketB);
                WorkloadApiClient intruderApi = client(socketC)) {
            String token = ordersApi.fetchJwtSvid("payments").getToken();

            // payments (b.test) federates with a.test: its agent holds a.test's JWT keys once delivered
            JwtSvid validated = awaitValue(() -> {
                try {
                    return paymentsApi.validateJwtSvid(token, "payments");
                } catch (Exception notYetDelivered) {
                    return null;
                }
            });
            assertThat(validated.getSpiffeId().toString()).isEqualTo(ORDERS);
            assertThat(paymentsApi
                            .fetchJwtBundles()
                            .getBundleForTrustDomain(io.spiffe.spiffeid.TrustDomain.parse("a.test"))
                            .getJwtAuthorities())
                    .isNotEmpty();

            // c.test federates with nobody: its agent has no bundle to check a.test's signature with
            assertThatThrownBy(() -> intruderApi.validateJwtSvid(token, "payments"))
                    .hasStackTraceContaining("no JWT bundle for trust domain a.test");
        }
    }

    private static WorkloadApiClient client(String socket) throws Exception {
        return DefaultWorkloadApiClient.newClient(DefaultWorkloadApiClient.ClientOptions.builder()
                .spiffeSocketPath(socket)
                .build());
    }

    private static <T> T awaitValue(Supplier<T> probe) throws InterruptedException {
        AtomicReference<T> value = new AtomicReference<>();
        await(() -> {
            value.set(probe.get());
            return value.get() != null;
        });
        return value.get();
    }

    @Test
    void aFederatedBundleSetOrDeletedLater_reachesTheWorkloadsThatFederateWithIt() throws Exception {
        TrustDomain d = TrustDomain.parse("d.test");
        workload(a, "spiffe://a.test/reports", "d.test");
        try (X509Source source = source(socketA)) {
            assertThat(has(source, "d.test")).isFalse();
            var root = TestPki.root(d).certificate();
            a.admin().setFederatedBundle(new SpiffeBundle(d, List.of(root), List.of(), 1, Duration.ZERO));

            await(() -> has(source, "d.test"));
            assertThat(source.getBundleForTrustDomain(io.spiffe.spiffeid.TrustDomain.parse("d.test"))
                            .getX509Authorities())
                    .containsExactly(root);

            a.admin().deleteFederatedBundle(d);
            await(() -> !has(source, "d.test"));
        }
    }

    private static boolean has(X509Source source, String trustDomain) {
        try {
            return !source.getBundleForTrustDomain(io.spiffe.spiffeid.TrustDomain.parse(trustDomain))
                    .getX509Authorities()
                    .isEmpty();
        } catch (Exception e) {
            return false;
        }
    }

    private static X509Source source(String socket) throws Exception {
        return DefaultX509Source.newSource(DefaultX509Source.X509SourceOptions.builder()
                .spiffeSocketPath(socket)
                .initTimeout(DEADLINE)
                .build());
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("federated bundles not as expected within " + DEADLINE);
            }
            Thread.sleep(100);
        }
    }
}
