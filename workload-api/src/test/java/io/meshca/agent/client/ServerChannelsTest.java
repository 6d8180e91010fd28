package io.meshca.agent.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.meshca.agent.cache.TrustBundle;
import io.meshca.agent.identity.AgentCredentials;
import io.meshca.agent.identity.AgentSvid;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.common.spiffe.TrustDomain;
import io.meshca.common.testing.FakeClock;
import io.meshca.common.testing.TestPki;
import io.meshca.common.tls.SpiffeAuthorizers;
import io.meshca.common.tls.SpiffeSslContexts;
import io.meshca.common.tls.SpiffeTrustManager;
import io.meshca.common.tls.SvidKeyManager;
import io.meshca.proto.server.v1.AgentGrpc;
import io.meshca.proto.server.v1.RenewAgentSvidRequest;
import io.meshca.proto.server.v1.RenewAgentSvidResponse;
import io.netty.handler.ssl.ClientAuth;
import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.junit.jupiter.api.Test;

/**
 * The mutual-TLS channel on real TCP: a renewed agent SVID is presented by the next connection, an
 * expired one by none.
 */
class ServerChannelsTest {

    private static final TrustDomain DOMAIN = TrustDomain.parse("example.org");
    private static final TestPki.Authority CA = TestPki.root(DOMAIN);
    private static final SpiffeId AGENT_ID = SpiffeId.parse("spiffe://example.org/meshca/agent/join_token/t1");

    private final List<String> presentedSerials = new CopyOnWriteArrayList<>();

    /** A server that records the serial of the client certificate of every call ("none" if none). */
    private Server startServer(ClientAuth clientAuth) throws Exception {
        TestPki.Leaf serverLeaf = CA.leaf(ServerChannels.serverId(DOMAIN));
        var service = new AgentGrpc.AgentImplBase() {
            @Override
            public void renewAgentSvid(
                    RenewAgentSvidRequest request, StreamObserver<RenewAgentSvidResponse> responses) {
                responses.onNext(RenewAgentSvidResponse.getDefaultInstance());
                responses.onCompleted();
            }
        };
        var recordPeer = new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(
                    ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
                SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
                try {
                    presentedSerials.add(((X509Certificate) session.getPeerCertificates()[0])
                            .getSerialNumber()
                            .toString(16));
                } catch (SSLPeerUnverifiedException e) {
                    presentedSerials.add("none");
                }
                return next.startCall(call, headers);
            }
        };
        return NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .sslContext(SpiffeSslContexts.server(
                        new SvidKeyManager(serverLeaf::identity),
                        new SpiffeTrustManager(() -> List.of(CA.certificate()), SpiffeAuthorizers.memberOf(DOMAIN)),
                        clientAuth))
                .addService(ServerInterceptors.intercept(service, recordPeer))
                .build()
                .start();
    }

    @Test
    void renewedAgentSvid_isPresentedByTheNextConnection_withoutRebuildingTheChannel() throws Exception {
        Server server = startServer(ClientAuth.REQUIRE);
        TestPki.Leaf first = CA.leaf(AGENT_ID);
        TestPki.Leaf renewed = CA.leaf(AGENT_ID);
        AgentCredentials credentials = new AgentCredentials(
                new AgentSvid(first.chain(), first.keyPair().getPrivate()),
                new TrustBundle(DOMAIN, List.of(CA.certificate()), 1));
        ManagedChannel channel = ServerChannels.mutualTls("127.0.0.1", server.getPort(), DOMAIN, credentials);
        try {
            AgentGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(20, TimeUnit.SECONDS)
                    .renewAgentSvid(RenewAgentSvidRequest.getDefaultInstance());

            credentials.updateSvid(
                    new AgentSvid(renewed.chain(), renewed.keyPair().getPrivate()));
            channel.enterIdle(); // drop the connection, as a server restart or idle timeout would
            AgentGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(20, TimeUnit.SECONDS)
                    .renewAgentSvid(RenewAgentSvidRequest.getDefaultInstance());

            assertThat(presentedSerials)
                    .containsExactly(
                            first.certificate().getSerialNumber().toString(16),
                            renewed.certificate().getSerialNumber().toString(16));
        } finally {
            ServerChannels.shutdown(channel);
            server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void expiredAgentSvid_isPresentedNoMore() throws Exception {
        Server server = startServer(ClientAuth.OPTIONAL);
        FakeClock clock = new FakeClock(Instant.now());
        TestPki.Leaf svid = CA.leaf(
                AGENT_ID, clock.instant().minusSeconds(60), clock.instant().plusSeconds(60));
        AgentCredentials credentials = new AgentCredentials(
                new AgentSvid(svid.chain(), svid.keyPair().getPrivate()),
                new TrustBundle(DOMAIN, List.of(CA.certificate()), 1),
                clock);
        ManagedChannel channel = ServerChannels.mutualTls("127.0.0.1", server.getPort(), DOMAIN, credentials);
        try {
            AgentGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(20, TimeUnit.SECONDS)
                    .renewAgentSvid(RenewAgentSvidRequest.getDefaultInstance());

            clock.advance(Duration.ofSeconds(60));
            channel.enterIdle();
            AgentGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(20, TimeUnit.SECONDS)
                    .renewAgentSvid(RenewAgentSvidRequest.getDefaultInstance());

            assertThat(presentedSerials)
                    .containsExactly(svid.certificate().getSerialNumber().toString(16), "none");
            assertThat(credentials.validSvid()).isEmpty();
        } finally {
            ServerChannels.shutdown(channel);
            server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
