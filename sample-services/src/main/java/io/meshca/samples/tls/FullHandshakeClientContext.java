package io.meshca.samples.tls;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ApplicationProtocolNegotiator;
import io.netty.handler.ssl.SslContext;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSessionContext;

/**
 * A client context whose connections never resume a TLS session. The JDK offers resumption to a peer
 * it has met at the same host and port; a resumed TLS 1.3 handshake exchanges no certificates, so a
 * reconnecting orders would keep presenting (and accepting) the identities of its first handshake
 * long after they rotated. Engines made without the peer's address are never resumed; SPIFFE
 * authentication does not use the host name, so nothing else changes.
 */
final class FullHandshakeClientContext extends SslContext {

    private final SslContext delegate;

    FullHandshakeClientContext(SslContext delegate) {
        if (!delegate.isClient()) {
            throw new IllegalArgumentException("a client context is required");
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
