package io.meshca.samples;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.meshca.common.testing.TestPki;
import io.meshca.samples.orders.OrdersTraffic;
import io.meshca.samples.payments.PaymentsServer;
import io.meshca.samples.proto.v1.PayRequest;
import io.meshca.samples.proto.v1.PaymentsGrpc;
import io.meshca.samples.proto.v1.Receipt;
import io.meshca.samples.status.FailureSide;
import io.meshca.samples.status.StatusLine;
import io.meshca.samples.testing.SwappableX509Source;
import io.meshca.samples.tls.PeerPolicy;
import io.meshca.samples.tls.SpiffeTls;
import io.spiffe.spiffeid.SpiffeId;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * orders and payments over real TLS 1.3 on loopback, with java-spiffe's key and trust managers fed by
 * static SVIDs: who may talk to whom, what the refusal says, and that a swapped SVID is presented by
 * the next handshake without rebuilding any context.
 */
class OrdersPaymentsMutualTlsTest {

    private static final SpiffeId ORDERS = SpiffeId.parse("spiffe://example.org/orders");
    private static final SpiffeId PAYMENTS = SpiffeId.parse("spiffe://example.org/payments");
    private static final TestPki.Authority CA = SwappableX509Source.ca("example.org");

    private final List<String> paymentsRefusals = new CopyOnWriteArrayList<>();
    private final List<String> ordersRefusals = new CopyOnWriteArrayList<>();
    private final List<String> clientSerialsSeen = new CopyOnWriteArrayList<>();
    private final List<StatusLine.RequestFailed> failures = new CopyOnWriteArrayList<>();
    private final PeerPolicy paymentsPolicy = PeerPolicy.only("payments", ORDERS);
    private SwappableX509Source paymentsSource;
    private PaymentsServer payments;

    @BeforeEach
    void startPayments() {
        paymentsSource = new SwappableX509Source(CA, SwappableX509Source.leaf(CA, PAYMENTS.toString()));
        payments = PaymentsServer.start(
                new InetSocketAddress("127.0.0.1", 0),
                paymentsSource,
                paymentsPolicy,
                (peer, reason) -> paymentsRefusals.add(peer + " | " + reason),
                (peer, serial) -> clientSerialsSeen.add(serial),
                Duration.ofMinutes(5));
    }

    @AfterEach
    void stopPayments() {
        payments.close();
    }

    @Test
    void ordersPaysPayments_andTheReceiptNamesOrders() {
        try (OrdersTraffic orders = ordersAs(ORDERS.toString(), PAYMENTS)) {
            assertThat(orders.payOnce()).isTrue();
            assertThat(orders.payOnce()).isTrue();
            assertThat(orders.counters().snapshot().ok()).isEqualTo(2);
            assertThat(orders.counters().snapshot().failed()).isZero();
        }
        assertThat(paymentsRefusals).isEmpty();
        assertThat(ordersRefusals).isEmpty();
        assertThat(failures).isEmpty();
    }

    @Test
    void aThirdSpiffeId_isRefusedByPayments_whichSaysWhoWasRefused() {
        SpiffeId intruder = SpiffeId.parse("spiffe://example.org/intruder");
        try (OrdersTraffic stranger = ordersAs(intruder.toString(), PAYMENTS)) {
            assertThat(stranger.payOnce()).isFalse();
            assertThat(stranger.counters().snapshot().failed()).isEqualTo(1);
        }
        assertThat(paymentsRefusals)
                .singleElement()
                .asString()
                .startsWith(intruder + " | ")
                .contains(paymentsPolicy.refusalMessage(intruder))
                .contains("only spiffe://example.org/orders may connect");
        // orders learns only that payments ended the handshake; payments' refusal above says why
        assertThat(failures).singleElement().satisfies(failure -> {
            assertThat(failure.side()).isEqualTo(FailureSide.SERVER_REJECTION);
            assertThat(failure.code()).isEqualTo("UNAVAILABLE");
            assertThat(failure.cause()).isEqualTo("javax.net.ssl.SSLHandshakeException");
            assertThat(failure.description()).contains("Received fatal alert: certificate_unknown");
        });
    }

    @Test
    void aCertificateFromAnotherCa_isRefusedBeforeAnyIdCheck() {
        TestPki.Authority rogueCa = SwappableX509Source.ca("example.org");
        SwappableX509Source rogue =
                new SwappableX509Source(rogueCa, SwappableX509Source.leaf(rogueCa, ORDERS.toString()));
        // the rogue orders trusts the real CA, so only payments' check of the client chain can stop it
        SwappableX509Source trustsRealCa =
                new SwappableX509Source(CA, SwappableX509Source.leaf(rogueCa, ORDERS.toString()));
        try (OrdersTraffic orders = ordersWith(trustsRealCa, PAYMENTS)) {
            assertThat(orders.payOnce()).isFalse();
        }
        assertThat(rogue.spiffeId()).isEqualTo(ORDERS);
        assertThat(paymentsRefusals).singleElement().asString().startsWith(ORDERS + " | ");
        assertThat(failures)
                .singleElement()
                .extracting(StatusLine.RequestFailed::side)
                .isEqualTo(FailureSide.SERVER_REJECTION);
    }

    @Test
    void ordersRefusesAServerThatIsNotPayments() {
        SwappableX509Source impostorSource =
                new SwappableX509Source(CA, SwappableX509Source.leaf(CA, "spiffe://example.org/impostor"));
        PaymentsServer impostor = PaymentsServer.start(
                new InetSocketAddress("127.0.0.1", 0),
                impostorSource,
                PeerPolicy.only("impostor", ORDERS),
                (peer, reason) -> {},
                (peer, serial) -> {},
                Duration.ofMinutes(5));
        try (OrdersTraffic orders = new OrdersTraffic(
                "127.0.0.1:" + impostor.port(),
                new SwappableX509Source(CA, SwappableX509Source.leaf(CA, ORDERS.toString())),
                PeerPolicy.only("orders", PAYMENTS),
                OrdersTraffic.DEFAULT_REQUEST_TIMEOUT,
                failures::add)) {
            assertThat(orders.payOnce()).isFalse();
        } finally {
            impostor.close();
        }
        assertThat(failures).singleElement().satisfies(failure -> {
            assertThat(failure.orderId()).isEqualTo("order-1");
            assertThat(failure.side()).isEqualTo(FailureSide.CLIENT_TLS);
            assertThat(failure.code()).isEqualTo("UNAVAILABLE");
            assertThat(failure.exception()).isEqualTo("io.grpc.StatusRuntimeException");
            assertThat(failure.cause()).isEqualTo("java.security.cert.CertificateException");
            assertThat(failure.description())
                    .contains(PeerPolicy.only("orders", PAYMENTS)
                            .refusalMessage(SpiffeId.parse("spiffe://example.org/impostor")));
        });
    }

    @Test
    void aSwappedSvid_isPresentedByTheNextHandshake_withTheSameContexts() throws Exception {
        SwappableX509Source ordersSource = new SwappableX509Source(CA, SwappableX509Source.leaf(CA, ORDERS.toString()));
        List<String> serverSerialsSeen = new CopyOnWriteArrayList<>();
        ManagedChannel channel = NettyChannelBuilder.forTarget("127.0.0.1:" + payments.port())
                .sslContext(SpiffeTls.client(
                        ordersSource,
                        (id, chain) -> {
                            PeerPolicy.only("orders", PAYMENTS).verify(id, chain);
                            serverSerialsSeen.add(chain[0].getSerialNumber().toString(16));
                        },
                        (peer, reason) -> ordersRefusals.add(reason)))
                .build();
        try {
            PaymentsGrpc.PaymentsBlockingStub stub = PaymentsGrpc.newBlockingStub(channel);
            String firstClient = serial(ordersSource);
            String firstServer = serial(paymentsSource);
            assertThat(pay(stub).getPayerSpiffeId()).isEqualTo(ORDERS.toString());

            ordersSource.swap(SwappableX509Source.leaf(CA, ORDERS.toString()));
            paymentsSource.swap(SwappableX509Source.leaf(CA, PAYMENTS.toString()));
            // drop the connection: the next call connects again, with a full handshake
            channel.enterIdle();
            assertThat(pay(stub).getPayerSpiffeId()).isEqualTo(ORDERS.toString());

            assertThat(clientSerialsSeen).containsExactly(firstClient, serial(ordersSource));
            assertThat(serverSerialsSeen).containsExactly(firstServer, serial(paymentsSource));
            assertThat(firstClient).isNotEqualTo(serial(ordersSource));
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private OrdersTraffic ordersAs(String spiffeId, SpiffeId expectedServer) {
        return ordersWith(new SwappableX509Source(CA, SwappableX509Source.leaf(CA, spiffeId)), expectedServer);
    }

    private OrdersTraffic ordersWith(SwappableX509Source source, SpiffeId expectedServer) {
        return new OrdersTraffic(
                "127.0.0.1:" + payments.port(),
                source,
                PeerPolicy.only("orders", expectedServer),
                OrdersTraffic.DEFAULT_REQUEST_TIMEOUT,
                failures::add);
    }

    private static Receipt pay(PaymentsGrpc.PaymentsBlockingStub stub) {
        return stub.withDeadlineAfter(10, TimeUnit.SECONDS)
                .pay(PayRequest.newBuilder()
                        .setOrderId("o-1")
                        .setAmountCents(100)
                        .build());
    }

    private static String serial(SwappableX509Source source) {
        return source.getX509Svid().getLeaf().getSerialNumber().toString(16);
    }
}
