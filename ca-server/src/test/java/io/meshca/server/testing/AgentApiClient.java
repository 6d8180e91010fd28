package io.meshca.server.testing;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.meshca.common.pki.Certificates;
import io.meshca.common.pki.Csrs;
import io.meshca.common.pki.Keys;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.common.tls.SpiffeAuthorizers;
import io.meshca.common.tls.SpiffeSslContexts;
import io.meshca.common.tls.SpiffeTrustManager;
import io.meshca.common.tls.SvidKeyManager;
import io.meshca.common.tls.TlsIdentity;
import io.meshca.proto.server.v1.AgentGrpc;
import io.meshca.proto.server.v1.AttestParams;
import io.meshca.proto.server.v1.AttestRequest;
import io.meshca.proto.server.v1.AttestResponse;
import io.meshca.proto.server.v1.AttestationData;
import io.meshca.proto.server.v1.NodeAttestationGrpc;
import io.meshca.proto.server.v1.WatchAuthorizedRequest;
import io.meshca.proto.server.v1.WatchAuthorizedResponse;
import io.meshca.proto.server.v1.X509Svid;
import io.netty.handler.ssl.SslContext;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The agent API of a {@link TestServer}, called as an agent calls it: over TLS on the server's port,
 * trusting the server's bundle and SPIFFE ID, with the generated stubs. Every channel it opens is
 * closed with it.
 */
public final class AgentApiClient implements AutoCloseable {

    /** An agent after attestation: its ID and its SVID with the key. */
    public record AttestedAgent(SpiffeId id, TlsIdentity identity) {}

    private final TestServer server;
    private final List<ManagedChannel> channels = new ArrayList<>();

    public AgentApiClient(TestServer server) {
        this.server = server;
    }

    /** Trusts only the server's current bundle, and only a certificate carrying the server's ID. */
    public SpiffeTrustManager trustServer() {
        List<X509Certificate> bundle = server.trustBundle();
        return new SpiffeTrustManager(() -> bundle, SpiffeAuthorizers.is(server.serverId()));
    }

    /** A channel to the agent API, closed with this client. */
    public synchronized ManagedChannel channel(SslContext ssl) {
        ManagedChannel c = NettyChannelBuilder.forAddress("127.0.0.1", server.agentApiPort())
                .sslContext(ssl)
                .build();
        channels.add(c);
        return c;
    }

    /**
     * Attests with a join token for {@code key}, without a client certificate.
     *
     * @throws io.grpc.StatusRuntimeException as the server refused the attestation
     */
    public X509Svid attest(String token, KeyPair key) throws Exception {
        var stub = NodeAttestationGrpc.newStub(channel(SpiffeSslContexts.clientWithoutIdentity(trustServer())))
                .withDeadlineAfter(20, TimeUnit.SECONDS);
        CompletableFuture<X509Svid> result = new CompletableFuture<>();
        StreamObserver<AttestRequest> requests = stub.attest(new StreamObserver<>() {
            @Override
            public void onNext(AttestResponse r) {
                result.complete(r.getResult().getSvid());
            }

            @Override
            public void onError(Throwable t) {
                result.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
                result.completeExceptionally(new IllegalStateException("no result"));
            }
        });
        requests.onNext(AttestRequest.newBuilder()
                .setParams(AttestParams.newBuilder()
                        .setData(AttestationData.newBuilder()
                                .setType("join_token")
                                .setPayload(ByteString.copyFromUtf8(token)))
                        .setCsr(ByteString.copyFrom(Csrs.create(key))))
                .build());
        requests.onCompleted();
        try {
            return result.get(20, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw (Exception) e.getCause();
        }
    }

    /** Attests with a join token for a fresh key; returns the agent with its SVID. */
    public AttestedAgent attest(String token) throws Exception {
        KeyPair key = Keys.generateEcP256();
        X509Svid svid = attest(token, key);
        List<X509Certificate> chain = new ArrayList<>();
        svid.getCertChainList().forEach(der -> chain.add(Certificates.parse(der.toByteArray())));
        return new AttestedAgent(SpiffeId.parse(svid.getSpiffeId()), new TlsIdentity(key.getPrivate(), chain));
    }

    /** The Agent service, authenticated with the agent's SVID. */
    public AgentGrpc.AgentStub agentStub(AttestedAgent agent) {
        return AgentGrpc.newStub(channel(SpiffeSslContexts.client(new SvidKeyManager(agent::identity), trustServer())));
    }

    /**
     * Opens a watch as {@code agent}. The queue receives each response, then the Throwable that ended
     * the stream or the string {@code "completed"}.
     */
    public LinkedBlockingQueue<Object> watch(AttestedAgent agent, WatchAuthorizedRequest request) {
        LinkedBlockingQueue<Object> watched = new LinkedBlockingQueue<>();
        agentStub(agent).watchAuthorized(request, new StreamObserver<>() {
            @Override
            public void onNext(WatchAuthorizedResponse r) {
                watched.add(r);
            }

            @Override
            public void onError(Throwable t) {
                watched.add(t);
            }

            @Override
            public void onCompleted() {
                watched.add("completed");
            }
        });
        return watched;
    }

    @Override
    public synchronized void close() throws InterruptedException {
        for (ManagedChannel c : channels) {
            c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        channels.clear();
    }
}
