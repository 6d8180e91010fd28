package io.meshca.samples.orders;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.meshca.samples.proto.v1.PayRequest;
import io.meshca.samples.proto.v1.PaymentsGrpc;
import io.meshca.samples.proto.v1.Receipt;
import io.meshca.samples.status.StatusLine;
import io.meshca.samples.tls.PeerPolicy;
import io.meshca.samples.tls.SpiffeTls;
import io.spiffe.workloadapi.X509Source;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The orders side of the demo: pays for one order at a time at a fixed rate over mTLS, accepting only
 * the payments SPIFFE ID as server, and checks that payments saw orders' own SPIFFE ID. Every failed
 * request is handed, with its cause, to a listener the moment it fails.
 */
public final class OrdersTraffic implements AutoCloseable {

    /**
     * A warm call answers in milliseconds. The deadline has to cover a reconnect instead: payments ends
     * each connection after a few seconds, so a call now and then waits for a fresh TLS handshake. Once
     * the JVMs are warm that costs a fraction of the first handshake, which took 4.3 s at load 5 to 9 on
     * 2 cores; 10 s leaves room for a loaded machine. The cold first connection is kept out of every
     * deadline by {@link #awaitReady}.
     */
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);

    private static final Logger log = LoggerFactory.getLogger(OrdersTraffic.class);

    private final String target;
    private final X509Source source;
    private final Duration requestTimeout;
    private final Consumer<StatusLine.RequestFailed> failures;
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

    /** Traffic with the default request timeout whose failures are only logged. */
    public OrdersTraffic(String target, X509Source source, PeerPolicy server) {
        this(target, source, server, DEFAULT_REQUEST_TIMEOUT, failure -> {});
    }

    /**
     * @param target         payments' address, {@code host:port}
     * @param server         the SPIFFE IDs orders accepts as the payments server
     * @param requestTimeout each call's deadline
     * @param failures       told each failed request as it fails (not those cut short by {@link #close()})
     */
    public OrdersTraffic(
            String target,
            X509Source source,
            PeerPolicy server,
            Duration requestTimeout,
            Consumer<StatusLine.RequestFailed> failures) {
        this.target = Objects.requireNonNull(target, "target");
        this.source = Objects.requireNonNull(source, "source");
        this.requestTimeout = Objects.requireNonNull(requestTimeout, "requestTimeout");
        this.failures = Objects.requireNonNull(failures, "failures");
        if (requestTimeout.isNegative() || requestTimeout.isZero()) {
            throw new IllegalArgumentException("the request timeout must be positive, got " + requestTimeout);
        }
        this.channel = NettyChannelBuilder.forTarget(target)
                .sslContext(SpiffeTls.client(
                        source, server, (peer, reason) -> log.warn("orders refused server {}: {}", peer, reason)))
                .build();
        this.payments = PaymentsGrpc.newBlockingStub(channel);
    }

    /**
     * Connects to payments and waits until the connection works (see {@link ChannelReadiness}); call
     * before {@link #start} so that start-up is not counted as failed requests.
     *
     * @return how long connecting took
     * @throws IllegalStateException if payments is not connected within {@code timeout}
     */
    public Duration awaitReady(Duration timeout) throws InterruptedException {
        return ChannelReadiness.await(channel, target, timeout);
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
            Receipt receipt = payments.withDeadlineAfter(requestTimeout.toMillis(), TimeUnit.MILLISECONDS)
                    .pay(PayRequest.newBuilder()
                            .setOrderId(orderId)
                            .setAmountCents(1999)
                            .build());
            String self = source.getX509Svid().getSpiffeId().toString();
            if (!orderId.equals(receipt.getOrderId()) || !self.equals(receipt.getPayerSpiffeId())) {
                return fail(FailureClassifier.badReceipt(
                        orderId,
                        "receipt for order " + receipt.getOrderId() + " paid by " + receipt.getPayerSpiffeId()
                                + ", expected " + orderId + " paid by " + self));
            }
            counters.succeeded();
            return true;
        } catch (StatusRuntimeException e) {
            return fail(FailureClassifier.of(orderId, e));
        }
    }

    private boolean fail(StatusLine.RequestFailed failure) {
        if (stopping) {
            // calls cut short by our own shutdown are not failures of the mesh
            log.info("{} not paid during shutdown: {}", failure.orderId(), failure.format());
            return false;
        }
        counters.failed();
        log.warn("{} failed: {}", failure.orderId(), failure.format());
        failures.accept(failure);
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
            loop.awaitTermination(requestTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        channel.shutdownNow();
    }
}
