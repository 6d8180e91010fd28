package io.meshca.common.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.common.spiffe.TrustDomain;
import io.meshca.common.testing.TestPki;
import io.meshca.proto.server.v1.Bundle;
import io.meshca.proto.server.v1.BundlesGrpc;
import io.meshca.proto.server.v1.GetBundleRequest;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Real TLS 1.3 handshakes over loopback between a gRPC server and client built from these contexts. */
class SpiffeTlsHandshakeTest {

    private static final TrustDomain TD = TrustDomain.parse("example.org");
    private static final SpiffeId SERVER_ID = SpiffeId.parse("spiffe://example.org/meshca/server");
    private static final SpiffeId AGENT_ID = SpiffeId.parse("spiffe://example.org/meshca/agent/join_token/t1");

    private final TestPki.Authority root = TestPki.root(TD);
    private final AtomicReference<String> lastPeer = new AtomicReference<>();
    private final AtomicReference<String> lastProtocol = new AtomicReference<>();
    private Server server;
    private ManagedChannel channel;

    @AfterEach
    void tearDown() throws InterruptedException {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (server != null) {
            server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private SpiffeTrustManager trust(Predicate<SpiffeId> authorizer) {
        return new SpiffeTrustManager(() -> List.of(root.certificate()), authorizer);
    }

    private void startServer(AtomicReference<TlsIdentity> identity, ClientAuth clientAuth) throws Exception {
        SslContext ssl = SpiffeSslContexts.server(
                new SvidKeyManager(identity::get), trust(SpiffeAuthorizers.pathUnder(TD, "/meshca/agent")), clientAuth);
        ServerInterceptor recordPeer = new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(
                    ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
                SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
                lastProtocol.set(session.getProtocol());
                try {
                    lastPeer.set(((X509Certificate) session.getPeerCertificates()[0])
                            .getSerialNumber()
                            .toString());
                } catch (SSLPeerUnverifiedException e) {
                    lastPeer.set("none");
                }
                return next.startCall(call, headers);
            }
        };
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .sslContext(ssl)
                .addService(ServerInterceptors.intercept(
                        new BundlesGrpc.BundlesImplBase() {
                            @Override
                            public void getBundle(GetBundleRequest request, StreamObserver<Bundle> out) {
                                out.onNext(Bundle.newBuilder()
                                        .setTrustDomain(TD.name())
                                        .build());
                                out.onCompleted();
                            }
                        },
                        recordPeer))
                .build()
                .start();
    }

    private Bundle call(SslContext clientSsl) {
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort())
                .sslContext(clientSsl)
                .build();
        return BundlesGrpc.newBlockingStub(channel)
                .withDeadlineAfter(10, TimeUnit.SECONDS)
                .getBundle(GetBundleRequest.getDefaultInstance());
    }

    @Test
    void mutualTls13_succeedsBetweenAuthorizedIds() throws Exception {
        TestPki.Authority intermediate = root.intermediate();
        startServer(new AtomicReference<>(intermediate.leaf(SERVER_ID).identity()), ClientAuth.REQUIRE);
        TestPki.Leaf agent = root.leaf(AGENT_ID);

        Bundle bundle = call(
                SpiffeSslContexts.client(new SvidKeyManager(agent::identity), trust(SpiffeAuthorizers.is(SERVER_ID))));

        assertThat(bundle.getTrustDomain()).isEqualTo("example.org");
        assertThat(lastProtocol.get()).isEqualTo("TLSv1.3");
        assertThat(lastPeer.get())
                .isEqualTo(agent.certificate().getSerialNumber().toString());
    }

    @Test
    void clientWithUnauthorizedId_isRefusedByTheServer() throws Exception {
        startServer(new AtomicReference<>(root.leaf(SERVER_ID).identity()), ClientAuth.REQUIRE);
        TestPki.Leaf web = root.leaf(SpiffeId.parse("spiffe://example.org/web"));

        assertThatThrownBy(() -> call(SpiffeSslContexts.client(
                        new SvidKeyManager(web::identity), trust(SpiffeAuthorizers.is(SERVER_ID)))))
                .isInstanceOfSatisfying(
                        StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
        assertThat(lastPeer.get()).isNull();
    }

    @Test
    void serverWithWrongId_isRefusedByTheClient() throws Exception {
        startServer(
                new AtomicReference<>(root.leaf(SpiffeId.parse("spiffe://example.org/impostor"))
                        .identity()),
                ClientAuth.REQUIRE);
        TestPki.Leaf agent = root.leaf(AGENT_ID);

        assertThatThrownBy(() -> call(SpiffeSslContexts.client(
                        new SvidKeyManager(agent::identity), trust(SpiffeAuthorizers.is(SERVER_ID)))))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
                    assertThat(e)
                            .hasStackTraceContaining("peer SPIFFE ID spiffe://example.org/impostor is not authorized");
                });
    }

    @Test
    void tls12Client_isRefused() throws Exception {
        startServer(new AtomicReference<>(root.leaf(SERVER_ID).identity()), ClientAuth.OPTIONAL);
        SslContext tls12 = GrpcSslContexts.configure(SslContextBuilder.forClient(), SslProvider.JDK)
                .protocols("TLSv1.2")
                .trustManager(InsecureTrustManagerFactory.INSTANCE)
                .build();

        assertThatThrownBy(() -> call(tls12))
                .isInstanceOfSatisfying(
                        StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
        assertThat(lastPeer.get()).isNull();
    }

    @Test
    void optionalClientAuth_admitsAClientWithoutCertificate() throws Exception {
        startServer(new AtomicReference<>(root.leaf(SERVER_ID).identity()), ClientAuth.OPTIONAL);

        Bundle bundle = call(SpiffeSslContexts.clientWithoutIdentity(trust(SpiffeAuthorizers.is(SERVER_ID))));

        assertThat(bundle.getTrustDomain()).isEqualTo("example.org");
        assertThat(lastPeer.get()).isEqualTo("none");
    }

    @Test
    void rotatedClientSvid_isPresentedOnTheNextConnectionWithoutNewContext() throws Exception {
        startServer(new AtomicReference<>(root.leaf(SERVER_ID).identity()), ClientAuth.REQUIRE);
        TestPki.Leaf first = root.leaf(AGENT_ID);
        TestPki.Leaf second = root.leaf(AGENT_ID);
        AtomicReference<TlsIdentity> current = new AtomicReference<>(first.identity());
        SslContext clientSsl =
                SpiffeSslContexts.client(new SvidKeyManager(current::get), trust(SpiffeAuthorizers.is(SERVER_ID)));

        call(clientSsl);
        assertThat(lastPeer.get())
                .isEqualTo(first.certificate().getSerialNumber().toString());
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);

        current.set(second.identity());
        call(clientSsl);
        assertThat(lastPeer.get())
                .isEqualTo(second.certificate().getSerialNumber().toString());
    }
}
