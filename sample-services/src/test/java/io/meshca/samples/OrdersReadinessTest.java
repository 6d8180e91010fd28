package io.meshca.samples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshca.common.testing.TestPki;
import io.meshca.samples.orders.OrdersTraffic;
import io.meshca.samples.payments.PaymentsServer;
import io.meshca.samples.status.FailureSide;
import io.meshca.samples.status.StatusLine;
import io.meshca.samples.testing.SwappableX509Source;
import io.meshca.samples.tls.PeerPolicy;
import io.spiffe.bundle.x509bundle.X509Bundle;
import io.spiffe.exception.BundleNotFoundException;
import io.spiffe.spiffeid.SpiffeId;
import io.spiffe.spiffeid.TrustDomain;
import io.spiffe.svid.x509svid.X509Svid;
import io.spiffe.workloadapi.X509Source;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The first connection under load, made deterministic: payments' side of the TLS handshake is held
 * (its key manager waits for the test) for as long as the test likes, the way a loaded 2-core machine
 * held it for over 4 s. A request sent meanwhile fails on its deadline, as {@code order-1} once did;
 * {@link OrdersTraffic#awaitReady} waits it out instead and says how long it took.
 */
class OrdersReadinessTest {

    private static final SpiffeId ORDERS = SpiffeId.parse("spiffe://example.org/orders");
    private static final SpiffeId PAYMENTS = SpiffeId.parse("spiffe://example.org/payments");
    private static final TestPki.Authority CA = SwappableX509Source.ca("example.org");
    /** Short, because the held handshake makes the outcome certain: no answer can come in time. */
    private static final Duration SHORT_REQUEST_TIMEOUT = Duration.ofMillis(300);

    private final List<StatusLine.RequestFailed> failures = new CopyOnWriteArrayList<>();
    private HeldHandshakes paymentsSource;
    private PaymentsServer payments;
    private OrdersTraffic orders;

    @BeforeEach
    void startPaymentsWithItsHandshakeHeld() {
        paymentsSource =
                new HeldHandshakes(new SwappableX509Source(CA, SwappableX509Source.leaf(CA, PAYMENTS.toString())));
        payments = PaymentsServer.start(
                new InetSocketAddress("127.0.0.1", 0),
                paymentsSource,
                PeerPolicy.only("payments", ORDERS),
                (peer, reason) -> {},
                (peer, serial) -> {},
                Duration.ofMinutes(5));
        paymentsSource.hold();
        orders = new OrdersTraffic(
                "127.0.0.1:" + payments.port(),
                new SwappableX509Source(CA, SwappableX509Source.leaf(CA, ORDERS.toString())),
                PeerPolicy.only("orders", PAYMENTS),
                SHORT_REQUEST_TIMEOUT,
                failures::add);
    }

    @AfterEach
    void stop() {
        paymentsSource.release();
        orders.close();
        payments.close();
    }

    @Test
    void aFirstHandshakeSlowerThanTheRequestDeadline_isWaitedOut_notCountedAsAFailedRequest() throws Exception {
        CompletableFuture<Duration> ready = CompletableFuture.supplyAsync(() -> awaitReady(Duration.ofSeconds(60)));
        assertThat(paymentsSource.awaitHeld(Duration.ofSeconds(30)))
                .as("payments reached its handshake")
                .isTrue();

        // what the demo used to do: send order-1 while the first connection is still being set up
        assertThat(orders.payOnce()).isFalse();
        assertThat(ready).as("ready while payments is still in its handshake").isNotDone();

        paymentsSource.release();
        Duration connected = ready.get(60, TimeUnit.SECONDS);
        assertThat(orders.payOnce()).isTrue();

        assertThat(connected).isPositive();
        assertThat(orders.counters().snapshot()).isEqualTo(new StatusLine.Stats(1, 1));
        assertThat(failures).singleElement().satisfies(failure -> {
            assertThat(failure.orderId()).isEqualTo("order-1");
            assertThat(failure.side()).isEqualTo(FailureSide.DEADLINE);
            assertThat(failure.code()).isEqualTo("DEADLINE_EXCEEDED");
            assertThat(failure.exception()).isEqualTo("io.grpc.StatusRuntimeException");
            assertThat(failure.description()).containsIgnoringCase("deadline exceeded");
        });
    }

    @Test
    void aConnectionThatIsNeverReady_failsTheWait_namingTheStateItWasStuckIn() {
        assertThatThrownBy(() -> orders.awaitReady(Duration.ofMillis(500)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith(
                        "payments at 127.0.0.1:" + payments.port() + " not connected after 500ms: still ")
                .hasMessageContaining("failed connection attempts");
        assertThat(failures).as("no request was sent").isEmpty();
        assertThat(orders.counters().snapshot()).isEqualTo(new StatusLine.Stats(0, 0));
    }

    private Duration awaitReady(Duration timeout) {
        try {
            return orders.awaitReady(timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CompletionException(e);
        }
    }

    /**
     * payments' X509 source, whose SVID (asked for by the key manager in the middle of each TLS
     * handshake) is withheld while held: the server's side of every handshake stops right there.
     */
    private static final class HeldHandshakes implements X509Source {

        private final X509Source delegate;
        private final CountDownLatch reached = new CountDownLatch(1);
        private final CountDownLatch released = new CountDownLatch(1);
        private volatile boolean holding;

        HeldHandshakes(X509Source delegate) {
            this.delegate = delegate;
        }

        void hold() {
            holding = true;
        }

        void release() {
            holding = false;
            released.countDown();
        }

        boolean awaitHeld(Duration timeout) throws InterruptedException {
            return reached.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }

        @Override
        public X509Svid getX509Svid() {
            if (holding) {
                reached.countDown();
                try {
                    released.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return delegate.getX509Svid();
        }

        @Override
        public X509Bundle getBundleForTrustDomain(TrustDomain trustDomain) throws BundleNotFoundException {
            return delegate.getBundleForTrustDomain(trustDomain);
        }

        @Override
        public void close() {
            release();
        }
    }
}
