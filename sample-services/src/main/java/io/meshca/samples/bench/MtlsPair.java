package io.meshca.samples.bench;

import io.meshca.samples.orders.OrdersTraffic;
import io.meshca.samples.payments.PaymentsServer;
import io.meshca.samples.status.StatusLine;
import io.meshca.samples.tls.PeerPolicy;
import io.spiffe.spiffeid.SpiffeId;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * One orders → payments pair of the rotation bench, each side a workload with its own java-spiffe
 * source: payments accepts only its orders, orders only its payments, over TLS 1.3 with a fresh
 * handshake every {@code maxConnectionAge}, so that every rotation meets new handshakes on both sides.
 */
final class MtlsPair implements AutoCloseable {

    /** One connection per client lives this long; each reconnect is a full handshake with the current SVIDs. */
    static final Duration MAX_CONNECTION_AGE = Duration.ofSeconds(2);

    private final Workload orders;
    private final Workload payments;
    private final PaymentsServer server;
    private final OrdersTraffic traffic;

    private MtlsPair(Workload orders, Workload payments, PaymentsServer server, OrdersTraffic traffic) {
        this.orders = orders;
        this.payments = payments;
        this.server = server;
        this.traffic = traffic;
    }

    static SpiffeId ordersId(String trustDomain, int number) {
        return SpiffeId.parse("spiffe://" + trustDomain + "/meshca-bench/orders-" + number);
    }

    static SpiffeId paymentsId(String trustDomain, int number) {
        return SpiffeId.parse("spiffe://" + trustDomain + "/meshca-bench/payments-" + number);
    }

    /**
     * Opens both workloads (their SVIDs must be registered), starts payments on a free loopback port and
     * connects orders to it; traffic starts with {@link #start}.
     *
     * @param failures    told each failed request, with its cause, the moment it fails
     * @param refusals    told each certificate payments refused (peer, reason)
     */
    static MtlsPair open(
            String trustDomain,
            int number,
            String workloadApi,
            Duration timeout,
            Consumer<StatusLine.RequestFailed> failures,
            Refusals refusals)
            throws InterruptedException {
        Workload payments = Workload.open("payments-" + number, paymentsId(trustDomain, number), workloadApi, timeout);
        Workload orders = null;
        PaymentsServer server = null;
        try {
            orders = Workload.open("orders-" + number, ordersId(trustDomain, number), workloadApi, timeout);
            String paymentsName = payments.name();
            server = PaymentsServer.start(
                    new InetSocketAddress("127.0.0.1", 0),
                    payments.source(),
                    PeerPolicy.only(paymentsName, orders.spiffeId()),
                    (peer, reason) -> refusals.refused(paymentsName, peer, reason),
                    (peer, serial) -> {},
                    MAX_CONNECTION_AGE);
            OrdersTraffic traffic = new OrdersTraffic(
                    "127.0.0.1:" + server.port(),
                    orders.source(),
                    PeerPolicy.only(orders.name(), payments.spiffeId()),
                    OrdersTraffic.DEFAULT_REQUEST_TIMEOUT,
                    failures);
            traffic.awaitReady(timeout);
            return new MtlsPair(orders, payments, server, traffic);
        } catch (RuntimeException | InterruptedException e) {
            if (server != null) {
                server.close();
            }
            if (orders != null) {
                orders.close();
            }
            payments.close();
            throw e;
        }
    }

    /** Who was refused by whom, and why: the server side of a failed handshake. */
    @FunctionalInterface
    interface Refusals {
        void refused(String by, String peer, String reason);
    }

    void start(double ratePerSecond) {
        traffic.start(ratePerSecond);
    }

    List<Workload> workloads() {
        return List.of(orders, payments);
    }

    long succeeded() {
        return traffic.counters().snapshot().ok();
    }

    long failed() {
        return traffic.counters().snapshot().failed();
    }

    /** Stops orders (waiting for the call in flight), then payments, then both sources. */
    @Override
    public void close() {
        traffic.close();
        server.close();
        orders.close();
        payments.close();
    }
}
