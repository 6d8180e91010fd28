package io.meshca.samples.tls;

import io.grpc.netty.GrpcSslContexts;
import io.meshca.common.tls.NoResumptionClientContext;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.spiffe.provider.SpiffeIdVerifier;
import io.spiffe.provider.SpiffeKeyManager;
import io.spiffe.provider.SpiffeTrustManager;
import io.spiffe.workloadapi.X509Source;
import javax.net.ssl.SSLException;

/**
 * Netty TLS contexts for gRPC whose certificate, key and trust bundle come from an {@link X509Source}
 * at every handshake: java-spiffe's key manager asks the source for the current SVID and its trust
 * manager for the current bundle, so a rotated SVID is used by the next connection without
 * rebuilding anything.
 */
public final class SpiffeTls {

    public static final String TLS_1_3 = "TLSv1.3";

    private SpiffeTls() {}

    /**
     * A server context that requires a client certificate and accepts only the peers {@code policy}
     * accepts (usually a {@link PeerPolicy}); every refusal is told to {@code refusals}.
     */
    public static SslContext server(X509Source source, SpiffeIdVerifier policy, RefusalListener refusals) {
        SslContextBuilder builder = SslContextBuilder.forServer(new SpiffeKeyManager(source))
                .trustManager(new ReportingTrustManager(new SpiffeTrustManager(source, policy), refusals))
                .clientAuth(ClientAuth.REQUIRE);
        return build(GrpcSslContexts.configure(builder, SslProvider.JDK));
    }

    /**
     * A client context that presents the source's SVID and accepts only the servers {@code policy}
     * accepts. Its connections never resume a session (see {@link NoResumptionClientContext}).
     */
    public static SslContext client(X509Source source, SpiffeIdVerifier policy, RefusalListener refusals) {
        SslContextBuilder builder = SslContextBuilder.forClient()
                .keyManager(new SpiffeKeyManager(source))
                .trustManager(new ReportingTrustManager(new SpiffeTrustManager(source, policy), refusals));
        return NoResumptionClientContext.wrap(build(GrpcSslContexts.configure(builder, SslProvider.JDK)));
    }

    private static SslContext build(SslContextBuilder builder) {
        try {
            return builder.protocols(TLS_1_3).build();
        } catch (SSLException e) {
            throw new IllegalStateException("cannot build a TLS 1.3 context: " + e.getMessage(), e);
        }
    }
}
