package io.meshca.agent.api;

import static io.meshca.agent.testing.InProcessServices.fixedCaller;
import static io.meshca.agent.testing.InProcessServices.withSecurityHeader;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.ManagedChannel;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.meshca.agent.cache.IssuedSvid;
import io.meshca.agent.cache.TrustBundle;
import io.meshca.agent.cache.WorkloadIdentitySource;
import io.meshca.agent.cache.X509Snapshot;
import io.meshca.agent.testing.FakeWorkloadIdentitySource;
import io.meshca.agent.testing.InProcessServices;
import io.meshca.common.pki.Certificates;
import io.meshca.common.pki.Keys;
import io.meshca.common.spiffe.Selector;
import io.meshca.common.spiffe.SelectorSet;
import io.meshca.proto.workload.JWTSVIDRequest;
import io.meshca.proto.workload.SpiffeWorkloadAPIGrpc;
import io.meshca.proto.workload.X509BundlesRequest;
import io.meshca.proto.workload.X509BundlesResponse;
import io.meshca.proto.workload.X509SVID;
import io.meshca.proto.workload.X509SVIDRequest;
import io.meshca.proto.workload.X509SVIDResponse;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.Signature;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The service in-process, with a fake cache and a caller whose selectors are fixed by the test. */
class WorkloadApiServiceTest {

    private static final Selector ORDERS = Selector.parse("unix:java-main:io.demo.Orders");
    private static final FakeWorkloadIdentitySource.Pki PKI = FakeWorkloadIdentitySource.pki();

    @RegisterExtension
    final InProcessServices services = new InProcessServices();

    @Test
    void callWithoutSecurityHeader_isInvalidArgument() throws Exception {
        FakeWorkloadIdentitySource source =
                new FakeWorkloadIdentitySource(ORDERS, PKI.snapshot(PKI.svid("/orders", "")));
        SpiffeWorkloadAPIGrpc.SpiffeWorkloadAPIBlockingStub stub =
                SpiffeWorkloadAPIGrpc.newBlockingStub(start(source, SelectorSet.of(ORDERS)));

        assertThatThrownBy(() ->
                        stub.fetchX509SVID(X509SVIDRequest.getDefaultInstance()).next())
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getStatus().getDescription()).isEqualTo(SecurityHeaderInterceptor.MISSING);
                });
        assertThat(source.subscriberCount()).isZero();
    }

    @Test
    void callerMatchingNoEntry_isPermissionDenied_andUnsubscribed() throws Exception {
        FakeWorkloadIdentitySource source =
                new FakeWorkloadIdentitySource(ORDERS, PKI.snapshot(PKI.svid("/orders", "")));
        Stream<X509SVIDResponse> stream = new Stream<>();
        api(start(source, SelectorSet.of(Selector.parse("unix:uid:4242"))))
                .fetchX509SVID(X509SVIDRequest.getDefaultInstance(), stream);

        Status status = stream.awaitError();
        assertThat(status.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(status.getDescription()).isEqualTo("no identity issued");
        assertThat(stream.messages).isEmpty();
        assertThat(source.subscriberCount()).isZero();
    }

    @Test
    void callerWhoseSvidIsStillBeingSigned_waitsForIt_insteadOfBeingDenied() throws Exception {
        IssuedSvid svid = PKI.svid("/orders", "");
        X509Snapshot signed = PKI.snapshot(svid);
        X509Snapshot pending = new X509Snapshot(List.of(), signed.bundle(), Map.of(), 1);
        FakeWorkloadIdentitySource source = new FakeWorkloadIdentitySource(ORDERS, pending);
        Stream<X509SVIDResponse> stream = new Stream<>();
        api(start(source, SelectorSet.of(ORDERS))).fetchX509SVID(X509SVIDRequest.getDefaultInstance(), stream);

        assertThat(stream.errors.poll(200, TimeUnit.MILLISECONDS))
                .as("no error while the SVID is pending")
                .isNull();
        assertThat(stream.messages).isEmpty();
        assertThat(source.subscriberCount()).isEqualTo(1);

        source.publish(signed);
        assertThat(serial(stream.next())).isEqualTo(svid.leaf().getSerialNumber());
    }

    @Test
    void fetchX509Svid_sendsTheStateAtOnce_andAgainOnEveryChange() throws Exception {
        IssuedSvid first = PKI.svid("/orders", "");
        FakeWorkloadIdentitySource source = new FakeWorkloadIdentitySource(ORDERS, PKI.snapshot(first));
        Stream<X509SVIDResponse> stream = new Stream<>();
        api(start(source, SelectorSet.of(ORDERS, Selector.parse("unix:uid:1000"))))
                .fetchX509SVID(X509SVIDRequest.getDefaultInstance(), stream);

        X509SVIDResponse initial = stream.next();
        assertThat(initial.getSvidsList())
                .extracting(X509SVID::getSpiffeId)
                .containsExactly("spiffe://example.org/orders");
        assertThat(serial(initial)).isEqualTo(first.leaf().getSerialNumber());

        IssuedSvid rotated = PKI.svid("/orders", "");
        IssuedSvid second = PKI.svid("/orders-admin", "admin");
        source.publish(PKI.snapshot(rotated, second));

        X509SVIDResponse update = stream.next();
        assertThat(update.getSvidsList())
                .extracting(X509SVID::getSpiffeId)
                .containsExactly("spiffe://example.org/orders", "spiffe://example.org/orders-admin");
        assertThat(serial(update)).isEqualTo(rotated.leaf().getSerialNumber());
        assertThat(update.getSvids(1).getHint()).isEqualTo("admin");
    }

    @Test
    void responseBytes_parseBackToTheChainTheKeyAndTheBundles() throws Exception {
        IssuedSvid svid = PKI.svid("/orders", "web");
        FakeWorkloadIdentitySource source = new FakeWorkloadIdentitySource(ORDERS, PKI.snapshot(svid));
        Stream<X509SVIDResponse> stream = new Stream<>();
        api(start(source, SelectorSet.of(ORDERS))).fetchX509SVID(X509SVIDRequest.getDefaultInstance(), stream);

        X509SVIDResponse response = stream.next();
        X509SVID wire = response.getSvids(0);
        assertThat(Certificates.parseConcatenated(wire.getX509Svid().toByteArray()))
                .isEqualTo(svid.chain());
        assertThat(svid.chain()).hasSize(2);
        PrivateKey key = Keys.parsePkcs8(wire.getX509SvidKey().toByteArray());
        assertThat(signsFor(key, svid)).isTrue();
        assertThat(Certificates.parseConcatenated(wire.getBundle().toByteArray()))
                .containsExactly(PKI.root().certificate());
        assertThat(wire.getHint()).isEqualTo("web");
        assertThat(response.getFederatedBundlesMap()).containsOnlyKeys("spiffe://partner.org");
        assertThat(Certificates.parseConcatenated(response.getFederatedBundlesMap()
                        .get("spiffe://partner.org")
                        .toByteArray()))
                .containsExactly(PKI.partnerRoot().certificate());
    }

    @Test
    void clientCancelling_endsTheSubscription() throws Exception {
        FakeWorkloadIdentitySource source =
                new FakeWorkloadIdentitySource(ORDERS, PKI.snapshot(PKI.svid("/orders", "")));
        Stream<X509SVIDResponse> stream = new Stream<>();
        api(start(source, SelectorSet.of(ORDERS))).fetchX509SVID(X509SVIDRequest.getDefaultInstance(), stream);
        stream.next();
        assertThat(source.subscriberCount()).isEqualTo(1);

        stream.cancel();

        awaitCondition(() -> source.subscriberCount() == 0);
        source.publish(PKI.snapshot(PKI.svid("/orders", "")));
        assertThat(stream.messages).isEmpty();
    }

    @Test
    void cancelDuringAPublish_byASourceThatNotifiesUnderItsLock_doesNotDeadlock() throws Exception {
        // A source that calls listeners while holding its lock, and takes that lock to unsubscribe.
        Object sourceLock = new Object();
        CountDownLatch unsubscribing = new CountDownLatch(1);
        AtomicReference<Consumer<X509Snapshot>> listener = new AtomicReference<>();
        X509Snapshot state = PKI.snapshot(PKI.svid("/orders", ""));
        WorkloadIdentitySource lockingSource = new WorkloadIdentitySource() {
            @Override
            public Subscription subscribe(SelectorSet selectors, Consumer<X509Snapshot> l) {
                synchronized (sourceLock) {
                    listener.set(l);
                    l.accept(state);
                }
                return () -> {
                    unsubscribing.countDown();
                    synchronized (sourceLock) {
                        listener.set(null);
                    }
                };
            }

            @Override
            public X509Snapshot snapshot(SelectorSet selectors) {
                return state;
            }
        };
        ManagedChannel channel = services.start(ServerInterceptors.intercept(
                new WorkloadApiService(lockingSource), fixedCaller(SelectorSet.of(ORDERS))));
        Stream<X509SVIDResponse> stream = new Stream<>();
        api(channel).fetchX509SVID(X509SVIDRequest.getDefaultInstance(), stream);
        stream.next();

        // A rotation is being published (source lock held) when the client cancels.
        Consumer<X509Snapshot> subscribed = listener.get();
        Thread publisher = new Thread(() -> {
            synchronized (sourceLock) {
                try {
                    unsubscribing.await(5, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                subscribed.accept(PKI.snapshot(PKI.svid("/orders", "")));
            }
        });
        publisher.setDaemon(true);
        publisher.start();
        Thread canceller = new Thread(stream::cancel);
        canceller.setDaemon(true);
        canceller.start();

        canceller.join(TimeUnit.SECONDS.toMillis(10));
        publisher.join(TimeUnit.SECONDS.toMillis(10));
        assertThat(canceller.isAlive() || publisher.isAlive())
                .as("deadlock between cancel and publish")
                .isFalse();
        assertThat(listener.get()).isNull();
    }

    @Test
    void entryRemovedWhileStreaming_endsTheStreamWithPermissionDenied() throws Exception {
        FakeWorkloadIdentitySource source =
                new FakeWorkloadIdentitySource(ORDERS, PKI.snapshot(PKI.svid("/orders", "")));
        Stream<X509SVIDResponse> stream = new Stream<>();
        api(start(source, SelectorSet.of(ORDERS))).fetchX509SVID(X509SVIDRequest.getDefaultInstance(), stream);
        stream.next();

        source.publish(PKI.snapshot());

        assertThat(stream.awaitError().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(source.subscriberCount()).isZero();
    }

    @Test
    void fetchX509Bundles_sendsOwnAndFederatedBundles_andOnlyWhenTheyChange() throws Exception {
        FakeWorkloadIdentitySource source =
                new FakeWorkloadIdentitySource(ORDERS, PKI.snapshot(PKI.svid("/orders", "")));
        Stream<X509BundlesResponse> stream = new Stream<>();
        api(start(source, SelectorSet.of(ORDERS))).fetchX509Bundles(X509BundlesRequest.getDefaultInstance(), stream);

        X509BundlesResponse first = stream.next();
        assertThat(first.getBundlesMap()).containsOnlyKeys("spiffe://example.org", "spiffe://partner.org");
        assertThat(Certificates.parseConcatenated(
                        first.getBundlesMap().get("spiffe://example.org").toByteArray()))
                .containsExactly(PKI.root().certificate());

        source.publish(PKI.snapshot(PKI.svid("/orders", ""))); // an SVID rotation: bundles unchanged
        X509Snapshot newRoot = new X509Snapshot(
                List.of(PKI.svid("/orders", "")),
                new TrustBundle(
                        FakeWorkloadIdentitySource.DOMAIN,
                        List.of(PKI.root().certificate(), PKI.partnerRoot().certificate()),
                        2),
                Map.of());
        source.publish(newRoot);

        X509BundlesResponse second = stream.next();
        assertThat(second.getBundlesMap()).containsOnlyKeys("spiffe://example.org");
        assertThat(Certificates.parseConcatenated(
                        second.getBundlesMap().get("spiffe://example.org").toByteArray()))
                .hasSize(2);
        assertThat(stream.messages).isEmpty();
    }

    @Test
    void jwtCalls_areUnimplemented() throws Exception {
        FakeWorkloadIdentitySource source =
                new FakeWorkloadIdentitySource(ORDERS, PKI.snapshot(PKI.svid("/orders", "")));
        ManagedChannel channel = start(source, SelectorSet.of(ORDERS));
        var stub = SpiffeWorkloadAPIGrpc.newBlockingStub(channel).withInterceptors(withSecurityHeader());

        assertThatThrownBy(() -> stub.fetchJWTSVID(
                        JWTSVIDRequest.newBuilder().addAudience("a").build()))
                .isInstanceOfSatisfying(
                        StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNIMPLEMENTED));
    }

    // --- helpers

    private ManagedChannel start(FakeWorkloadIdentitySource source, SelectorSet callerSelectors) {
        return services.start(ServerInterceptors.intercept(
                new WorkloadApiService(source), fixedCaller(callerSelectors), new SecurityHeaderInterceptor()));
    }

    private static SpiffeWorkloadAPIGrpc.SpiffeWorkloadAPIStub api(ManagedChannel channel) {
        return SpiffeWorkloadAPIGrpc.newStub(channel).withInterceptors(withSecurityHeader());
    }

    private static BigInteger serial(X509SVIDResponse response) {
        return Certificates.parseConcatenated(response.getSvids(0).getX509Svid().toByteArray())
                .get(0)
                .getSerialNumber();
    }

    static boolean signsFor(PrivateKey key, IssuedSvid svid) throws Exception {
        byte[] data = "proof of possession".getBytes(StandardCharsets.UTF_8);
        Signature signer = Signature.getInstance("SHA256withECDSA");
        signer.initSign(key);
        signer.update(data);
        byte[] signature = signer.sign();
        Signature verifier = Signature.getInstance("SHA256withECDSA");
        verifier.initVerify(svid.leaf().getPublicKey());
        verifier.update(data);
        return verifier.verify(signature);
    }

    private static void awaitCondition(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition not met within 5s").isLessThan(deadline);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    /** Records a server stream; waits with a deadline (messages may arrive on another thread). */
    static final class Stream<T> implements ClientResponseObserver<Object, T> {
        final BlockingQueue<T> messages = new LinkedBlockingQueue<>();
        final BlockingQueue<Status> errors = new LinkedBlockingQueue<>();
        private volatile ClientCallStreamObserver<Object> request;

        @Override
        public void beforeStart(ClientCallStreamObserver<Object> requestStream) {
            this.request = requestStream;
        }

        @Override
        public void onNext(T value) {
            messages.add(value);
        }

        @Override
        public void onError(Throwable t) {
            errors.add(Status.fromThrowable(t));
        }

        @Override
        public void onCompleted() {
            errors.add(Status.OK);
        }

        T next() throws InterruptedException {
            T message = messages.poll(5, TimeUnit.SECONDS);
            assertThat(message).as("a message within 5s (errors: %s)", errors).isNotNull();
            return message;
        }

        Status awaitError() throws InterruptedException {
            Status status = errors.poll(5, TimeUnit.SECONDS);
            assertThat(status).as("the stream to end within 5s").isNotNull();
            return status;
        }

        void cancel() {
            request.cancel("test done", null);
        }
    }
}
