package io.meshca.common.tls;

import io.grpc.netty.GrpcSslContexts;
import io.meshca.common.crypto.CryptoProvider;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.util.Objects;
import javax.net.ssl.SSLException;

/**
 * Netty SslContexts for gRPC with SPIFFE authentication, TLS 1.3 only. Key and trust managers read
 * the current SVID and bundle at each handshake, so contexts are built once and live through rotations.
 */
public final class SpiffeSslContexts {

    public static final String TLS_13 = "TLSv1.3";

    private SpiffeSslContexts() {}

    /**
     * A server context presenting the key manager's identity. With {@link ClientAuth#REQUIRE} every
     * client must present a certificate the trust manager accepts; with {@link ClientAuth#OPTIONAL} a
     * client without a certificate is let in (callers must then check for a peer identity themselves),
     * but a presented certificate is still verified.
     */
    public static SslContext server(SvidKeyManager keyManager, SpiffeTrustManager trustManager, ClientAuth clientAuth) {
        Objects.requireNonNull(trustManager, "trustManager");
        Objects.requireNonNull(clientAuth, "clientAuth");
        SslContextBuilder builder = SslContextBuilder.forServer(Objects.requireNonNull(keyManager, "keyManager"))
                .trustManager(trustManager)
                .clientAuth(clientAuth);
        return build(builder);
    }

    /**
     * A client context that verifies the server with the trust manager and presents the key manager's
     * identity. Its connections never resume a TLS session, so every connection presents the current
     * SVID and is checked against the current bundle.
     */
    public static SslContext client(SvidKeyManager keyManager, SpiffeTrustManager trustManager) {
        SslContextBuilder builder = SslContextBuilder.forClient()
                .keyManager(Objects.requireNonNull(keyManager, "keyManager"))
                .trustManager(Objects.requireNonNull(trustManager, "trustManager"));
        return NoResumptionClientContext.wrap(build(builder));
    }

    /** A client context without a client certificate (e.g. an agent's node attestation). */
    public static SslContext clientWithoutIdentity(SpiffeTrustManager trustManager) {
        return NoResumptionClientContext.wrap(build(
                SslContextBuilder.forClient().trustManager(Objects.requireNonNull(trustManager, "trustManager"))));
    }

    private static SslContext build(SslContextBuilder builder) {
        try {
            // Netty's JDK engine API either way, so the custom key and trust managers behave the same;
            // underneath, the process's crypto provider: Conscrypt (BoringSSL) does the record layer and
            // handshake several times faster than SunJSSE (whose AES-GCM alone was ~10 % of a busy
            // server's CPU), and the JDK's own TLS 1.3 is the fallback.
            var provider = CryptoProvider.get().provider();
            builder = provider.isPresent()
                    ? GrpcSslContexts.configure(builder, provider.get())
                    : GrpcSslContexts.configure(builder, SslProvider.JDK);
            return builder.protocols(TLS_13).build();
        } catch (SSLException e) {
            throw new IllegalStateException("cannot build a TLS 1.3 context: " + e.getMessage(), e);
        }
    }
}
