package io.meshca.samples.orders;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.meshca.samples.proto.v1.PayRequest;
import io.meshca.samples.proto.v1.PaymentsGrpc;
import io.meshca.samples.proto.v1.Receipt;
import io.meshca.samples.tls.PeerPolicy;
import io.meshca.samples.tls.SpiffeTls;
import io.spiffe.workloadapi.X509Source;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The orders side of the demo: pays for one order at a time at a fixed rate over mTLS, accepting only
 * the payments SPIFFE ID as server, and checks that payments saw orders' own SPIFFE ID.
 */
public final class OrdersTraffic implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(OrdersTraffic.class);
    private static final Duration CALL_DEADLINE = Duration.ofSeconds(5);

    private final X509Source source;
    private final ManagedChannel channel;
    private final PaymentsGrpc.PaymentsBlockingStub payments;
    private final TrafficCounters counters = new TrafficCounters();
    private final AtomicLong orderNumber = new AtomicLong();
    private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "orders-traffic");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean stopping;

    /**
     * @param target   payments' address, {@code host:port}
     * @param server   the SPIFFE IDs orders accepts as the payments server
     */
    public OrdersTraffic(String target, X509Source source, PeerPolicy server) {
        this.source = Objects.requireNonNull(source, "source");
        this.channel = NettyChannelBuilder.forTarget(target)
                .sslContext(SpiffeTls.client(
                        source, server, (peer, reason) -> log.warn("orders refused server {}: {}", peer, reason)))
                .build();
        this.payments = PaymentsGrpc.newBlockingStub(channel);
    }

    /** Starts paying {@code ratePerSecond} orders per second, one call at a time. */
    public void start(double ratePerSecond) {
        if (!(ratePerSecond > 0 && ratePerSecond <= 10_000)) {
            throw new IllegalArgumentException("rate must be in (0, 10000] requests per second, got " + ratePerSecond);
        }
        long periodMicros = Math.max(1, Math.round(1_000_000 / ratePerSecond));
        loop.scheduleAtFixedRate(this::payOnce, 0, periodMicros, TimeUnit.MICROSECONDS);
    }

    /** Makes one call now and counts it; public so that tests can drive traffic without a schedule. */
    public boolean payOnce() {
        String orderId = "order-" + orderNumber.incrementAndGet();
        try {
            Receipt receipt = payments.withDeadlineAfter(CALL_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
                    .pay(PayRequest.newBuilder()
                            .setOrderId(orderId)
                            .setAmountCents(1999)
                            .build());
            String self = source.getX509Svid().getSpiffeId().toString();
            if (!orderId.equals(receipt.getOrderId()) || !self.equals(receipt.getPayerSpiffeId())) {
                return fail(
                        orderId,
                        "receipt for order " + receipt.getOrderId() + " paid by " + receipt.getPayerSpiffeId()
                                + ", expected " + orderId + " paid by " + self);
            }
            counters.succeeded();
            return true;
        } catch (StatusRuntimeException e) {
            return fail(orderId, e.getStatus().toString());
        }
    }

    private boolean fail(String orderId, String reason) {
        if (stopping) {
            // calls cut short by our own shutdown are not failures of the mesh
            log.info("{} not paid during shutdown: {}", orderId, reason);
            return false;
        }
        counters.failed();
        log.warn("{} failed: {}", orderId, reason);
        return false;
    }

    public TrafficCounters counters() {
        return counters;
    }

    public boolean stopping() {
        return stopping;
    }

    /** Stops the loop, waits for the call in flight, then closes the channel. */
    @Override
    public void close() {
        stopping = true;
        loop.shutdown();
        try {
            loop.awaitTermination(CALL_DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        channel.shutdownNow();
    }
}
