package io.meshca.samples.tls;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Objects;
import java.util.function.BiConsumer;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Puts the caller's SPIFFE ID, taken from the client certificate the TLS handshake accepted, into the
 * gRPC {@link Context}, so that services read {@link #PEER_ID} and never TLS state. Authorization
 * already happened in the handshake ({@link PeerPolicy}); a call without a verified client
 * certificate cannot get here over {@link SpiffeTls#server}, and is refused if it does.
 */
public final class PeerIdentityInterceptor implements ServerInterceptor {

    /** The verified SPIFFE ID of the caller, as a string. */
    public static final Context.Key<String> PEER_ID = Context.key("meshca-peer-spiffe-id");

    private final BiConsumer<String, String> newPeerCertificate;
    private volatile String lastSerial;

    /**
     * @param newPeerCertificate told (SPIFFE ID, serial in hex) when a call arrives with a client
     *                           certificate other than the previous call's: a peer's rotated SVID at work
     */
    public PeerIdentityInterceptor(BiConsumer<String, String> newPeerCertificate) {
        this.newPeerCertificate = Objects.requireNonNull(newPeerCertificate, "newPeerCertificate");
    }

    @Override
    public <Q, A> ServerCall.Listener<Q> interceptCall(
            ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
        X509Certificate leaf = peerLeaf(call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION));
        String peerId = leaf == null ? null : uriSan(leaf);
        if (peerId == null) {
            call.close(Status.UNAUTHENTICATED.withDescription("no verified SPIFFE client certificate"), new Metadata());
            return new ServerCall.Listener<>() {};
        }
        String serial = leaf.getSerialNumber().toString(16);
        if (!serial.equals(lastSerial)) {
            lastSerial = serial;
            newPeerCertificate.accept(peerId, serial);
        }
        return Contexts.interceptCall(Context.current().withValue(PEER_ID, peerId), call, headers, next);
    }

    private static X509Certificate peerLeaf(SSLSession session) {
        if (session == null) {
            return null;
        }
        try {
            Certificate[] chain = session.getPeerCertificates();
            return chain.length > 0 && chain[0] instanceof X509Certificate x509 ? x509 : null;
        } catch (SSLPeerUnverifiedException e) {
            return null;
        }
    }

    private static String uriSan(X509Certificate leaf) {
        String described = ReportingTrustManager.describePeer(new X509Certificate[] {leaf});
        return described.startsWith("spiffe://") ? described : null;
    }
}
