package io.meshca.agent.testing;

import com.google.protobuf.ByteString;
import io.grpc.BindableService;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.meshca.agent.client.ServerChannels;
import io.meshca.common.pki.Certificates;
import io.meshca.common.spiffe.TrustDomain;
import io.meshca.common.testing.TestPki;
import io.meshca.common.tls.SpiffeAuthorizers;
import io.meshca.common.tls.SpiffeSslContexts;
import io.meshca.common.tls.SpiffeTrustManager;
import io.meshca.common.tls.SvidKeyManager;
import io.meshca.proto.server.v1.AgentGrpc;
import io.meshca.proto.server.v1.AttestRequest;
import io.meshca.proto.server.v1.AttestResponse;
import io.meshca.proto.server.v1.AttestResult;
import io.meshca.proto.server.v1.BatchSignX509SvidsRequest;
import io.meshca.proto.server.v1.BatchSignX509SvidsResponse;
import io.meshca.proto.server.v1.Bundle;
import io.meshca.proto.server.v1.NodeAttestationGrpc;
import io.meshca.proto.server.v1.RenewAgentSvidRequest;
import io.meshca.proto.server.v1.RenewAgentSvidResponse;
import io.meshca.proto.server.v1.WatchAuthorizedRequest;
import io.meshca.proto.server.v1.WatchAuthorizedResponse;
import io.meshca.proto.server.v1.X509Svid;
import io.netty.handler.ssl.ClientAuth;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * An in-process ca-server stand-in implementing the generated service bases; each test plugs in the
 * behaviour it needs. Everything runs on the calling thread (direct executors).
 */
public final class FakeServer implements AutoCloseable {

    public final List<AttestRequest> attestRequests = new CopyOnWriteArrayList<>();
    public final List<WatchAuthorizedRequest> watchRequests = new CopyOnWriteArrayList<>();
    public final List<StreamObserver<WatchAuthorizedResponse>> watchStreams = new CopyOnWriteArrayList<>();
    public volatile Function<AttestRequest, AttestResponse> attest;
    public volatile Status attestFailure;
    public volatile Function<BatchSignX509SvidsRequest, BatchSignX509SvidsResponse> batchSign;
    public volatile Function<RenewAgentSvidRequest, RenewAgentSvidResponse> renewAgentSvid;
    public volatile BiConsumer<WatchAuthorizedRequest, StreamObserver<WatchAuthorizedResponse>> watch = (r, o) -> {};

    private final Server server;
    private final List<BindableService> services;
    private Server tlsServer;
    public final ManagedChannel channel;

    public FakeServer() throws IOException {
        services = List.of(
                new NodeAttestationGrpc.NodeAttestationImplBase() {
                    @Override
                    public StreamObserver<AttestRequest> attest(StreamObserver<AttestResponse> responses) {
                        return new StreamObserver<>() {
                            @Override
                            public void onNext(AttestRequest request) {
                                attestRequests.add(request);
                                if (attestFailure != null) {
                                    responses.onError(attestFailure.asRuntimeException());
                                } else {
                                    // a challenge keeps the stream open for its answer
                                    AttestResponse response = attest.apply(request);
                                    responses.onNext(response);
                                    if (!response.hasChallenge()) {
                                        responses.onCompleted();
                                    }
                                }
                            }

                            @Override
                            public void onError(Throwable t) {}

                            @Override
                            public void onCompleted() {}
                        };
                    }
                },
                new AgentGrpc.AgentImplBase() {
                    @Override
                    public void watchAuthorized(
                            WatchAuthorizedRequest request, StreamObserver<WatchAuthorizedResponse> responses) {
                        watchRequests.add(request);
                        watchStreams.add(responses);
                        watch.accept(request, responses);
                    }

                    @Override
                    public void renewAgentSvid(
                            RenewAgentSvidRequest request, StreamObserver<RenewAgentSvidResponse> responses) {
                        responses.onNext(renewAgentSvid.apply(request));
                        responses.onCompleted();
                    }

                    @Override
                    public void batchSignX509Svids(
                            BatchSignX509SvidsRequest request, StreamObserver<BatchSignX509SvidsResponse> responses) {
                        responses.onNext(batchSign.apply(request));
                        responses.onCompleted();
                    }
                });
        String name = InProcessServerBuilder.generateName();
        InProcessServerBuilder builder = InProcessServerBuilder.forName(name).directExecutor();
        services.forEach(builder::addService);
        server = builder.build().start();
        channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    }

    public static X509Svid svid(String spiffeId, List<X509Certificate> chain) {
        X509Svid.Builder svid = X509Svid.newBuilder().setSpiffeId(spiffeId);
        chain.forEach(c -> svid.addCertChain(ByteString.copyFrom(Certificates.der(c))));
        return svid.build();
    }

    public static Bundle bundle(String trustDomain, long sequence, X509Certificate... authorities) {
        Bundle.Builder bundle = Bundle.newBuilder().setTrustDomain(trustDomain).setSequence(sequence);
        for (X509Certificate authority : authorities) {
            bundle.addX509Authorities(ByteString.copyFrom(Certificates.der(authority)));
        }
        return bundle.build();
    }

    public static AttestResponse result(X509Svid svid, Bundle bundle) {
        return AttestResponse.newBuilder()
                .setResult(AttestResult.newBuilder().setSvid(svid).setBundle(bundle))
                .build();
    }

    /**
     * Also serves on loopback TCP with TLS, as ca-server does, so that a real {@link
     * io.meshca.agent.NodeAgent} can reach this fake: its certificate is the server SVID of {@code
     * ca}'s trust domain, issued by {@code ca}. Returns the port.
     */
    public synchronized int listenTls(TestPki.Authority ca) throws IOException {
        if (tlsServer == null) {
            TrustDomain domain = ca.domain();
            TestPki.Leaf serverLeaf = ca.leaf(ServerChannels.serverId(domain));
            NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                    .directExecutor()
                    .sslContext(SpiffeSslContexts.server(
                            new SvidKeyManager(serverLeaf::identity),
                            new SpiffeTrustManager(() -> List.of(ca.certificate()), SpiffeAuthorizers.memberOf(domain)),
                            ClientAuth.OPTIONAL));
            services.forEach(builder::addService);
            tlsServer = builder.build().start();
        }
        return tlsServer.getPort();
    }

    /**
     * Stops serving on TCP, as a ca-server replica that dies: open connections are closed, new ones
     * refused. The in-process {@link #channel} keeps working.
     */
    public synchronized void stopTls() {
        if (tlsServer != null) {
            tlsServer.shutdownNow();
        }
    }

    @Override
    public void close() {
        channel.shutdownNow();
        server.shutdownNow();
        if (tlsServer != null) {
            tlsServer.shutdownNow();
        }
    }
}
