package io.meshca.server.istio;

import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.NettyServerBuilder;
import io.meshca.common.tls.SpiffeSslContexts;
import io.meshca.common.tls.SpiffeTrustManager;
import io.meshca.common.tls.SvidKeyManager;
import io.meshca.common.tls.TlsIdentity;
import io.meshca.server.config.IstioCaConfig;
import io.netty.handler.ssl.ClientAuth;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TLS listener of Istio's CA API. Client certificates are optional here (istio-agent usually
 * authenticates with a service-account token), but one that is presented must be an X509-SVID of this
 * trust domain that verifies against the current bundle, or the handshake fails — as istiod's
 * VerifyClientCertIfGiven.
 */
public final class IstioCaListener implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(IstioCaListener.class);
    /**
     * The largest request accepted: istio-agent sends one CSR (PEM, RSA 2048 or EC) and a few metadata
     * fields, a few KB; the listener is reachable from the network, so nothing larger is buffered.
     */
    private static final int MAX_REQUEST_BYTES = 64 * 1024;

    private final Server server;

    private IstioCaListener(Server server) {
        this.server = server;
    }

    /**
     * Binds and starts.
     *
     * @param serving the serving certificate (read at every handshake)
     * @param clientVerifier verifies a client certificate when one is presented
     * @param service the CA service, already behind its authentication interceptor
     */
    public static IstioCaListener start(
            IstioCaConfig config,
            Supplier<TlsIdentity> serving,
            SpiffeTrustManager clientVerifier,
            ServerServiceDefinition service)
            throws IOException {
        var tls = SpiffeSslContexts.server(new SvidKeyManager(serving), clientVerifier, ClientAuth.OPTIONAL);
        Server server = NettyServerBuilder.forAddress(new InetSocketAddress(config.address(), config.port()))
                .sslContext(tls)
                .maxInboundMessageSize(MAX_REQUEST_BYTES)
                .addService(service)
                .build();
        try {
            server.start();
        } catch (IOException e) {
            throw new IOException(
                    "cannot listen on " + config.address() + ":" + config.port() + " (istioCa): " + e.getMessage(), e);
        }
        log.info(
                "Istio CA API (istio.v1.auth.IstioCertificateService) listening on {}:{} as {}",
                config.address(),
                server.getPort(),
                config.servingDnsNames());
        return new IstioCaListener(server);
    }

    /** The bound port (the real one when the config asked for port 0). */
    public int port() {
        return server.getPort();
    }

    @Override
    public void close() throws InterruptedException {
        server.shutdown();
        if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
            server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
