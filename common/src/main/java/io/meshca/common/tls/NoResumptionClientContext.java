package io.meshca.common.tls;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ApplicationProtocolNegotiator;
import io.netty.handler.ssl.SslContext;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSessionContext;

/**
 * A client context whose engines never resume a TLS session. The JDK resumes by peer host and port;
 * a resumed session skips the key manager and the trust manager, so a rotated SVID would not be
 * presented and a rotated bundle not applied. Creating engines without the peer's address makes every
 * connection a full handshake. Nothing is lost: SPIFFE authentication never uses the host name.
 */
public final class NoResumptionClientContext extends SslContext {

    private final SslContext delegate;

    /** Wraps a client context so that none of its connections resumes a TLS session. */
    public static SslContext wrap(SslContext delegate) {
        return new NoResumptionClientContext(delegate);
    }

    private NoResumptionClientContext(SslContext delegate) {
        if (!delegate.isClient()) {
            throw new IllegalArgumentException("only client contexts resume sessions by peer address");
        }
        this.delegate = delegate;
    }

    @Override
    public boolean isClient() {
        return true;
    }

    @Override
    public List<String> cipherSuites() {
        return delegate.cipherSuites();
    }

    @Override
    @SuppressWarnings("deprecation")
    public ApplicationProtocolNegotiator applicationProtocolNegotiator() {
        return delegate.applicationProtocolNegotiator();
    }

    @Override
    public SSLEngine newEngine(ByteBufAllocator alloc) {
        return delegate.newEngine(alloc);
    }

    @Override
    public SSLEngine newEngine(ByteBufAllocator alloc, String peerHost, int peerPort) {
        return delegate.newEngine(alloc);
    }

    @Override
    public SSLSessionContext sessionContext() {
        return delegate.sessionContext();
    }
}
