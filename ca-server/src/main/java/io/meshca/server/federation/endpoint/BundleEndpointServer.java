package io.meshca.server.federation.endpoint;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import io.meshca.common.bundle.SpiffeBundle;
import io.meshca.common.bundle.SpiffeBundleCodec;
import io.meshca.common.tls.SvidKeyManager;
import io.meshca.common.tls.TlsIdentity;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SPIFFE bundle endpoint: {@code GET /} answers the trust domain's bundle document over HTTPS.
 * The profile is only a matter of which identity the server presents — a certificate from files
 * ({@code https_web}) or the server's own X509-SVID ({@code https_spiffe}) — so both take a supplier
 * of the identity, read at every handshake (the SVID rotates). Clients are never asked for a
 * certificate: the bundle is public and the endpoint must work for any federating implementation.
 */
public final class BundleEndpointServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(BundleEndpointServer.class);
    /** TLS 1.3 preferred; 1.2 for web clients and older Go stacks that fetch with https_web. */
    private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    private final HttpsServer server;
    private final ExecutorService executor;

    private BundleEndpointServer(HttpsServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /** Binds and starts; {@code address} port 0 picks a free port (see {@link #port()}). */
    public static BundleEndpointServer start(
            InetSocketAddress address, Supplier<TlsIdentity> identity, Supplier<SpiffeBundle> bundle)
            throws IOException {
        Objects.requireNonNull(identity, "identity");
        Objects.requireNonNull(bundle, "bundle");
        SSLContext tls;
        try {
            tls = SSLContext.getInstance("TLS");
            tls.init(new KeyManager[] {new SvidKeyManager(identity)}, null, null);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot set up TLS for the bundle endpoint", e);
        }
        HttpsServer server = HttpsServer.create(address, 16);
        server.setHttpsConfigurator(new HttpsConfigurator(tls) {
            @Override
            public void configure(HttpsParameters params) {
                SSLParameters p = tls.getDefaultSSLParameters();
                p.setProtocols(PROTOCOLS);
                p.setNeedClientAuth(false);
                p.setWantClientAuth(false);
                params.setSSLParameters(p);
            }
        });
        server.createContext("/", exchange -> handle(exchange, bundle));
        ExecutorService executor = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "meshca-bundle-endpoint");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.start();
        log.info(
                "bundle endpoint listening on https://{}:{}/",
                address.getHostString(),
                server.getAddress().getPort());
        return new BundleEndpointServer(server, executor);
    }

    private static void handle(HttpExchange exchange, Supplier<SpiffeBundle> bundle) throws IOException {
        try (exchange) {
            if (!"GET".equals(exchange.getRequestMethod())) {
                exchange.getResponseHeaders().set("Allow", "GET");
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            if (!"/".equals(exchange.getRequestURI().getPath())) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            byte[] body;
            try {
                body = SpiffeBundleCodec.toJson(bundle.get()).getBytes(StandardCharsets.UTF_8);
            } catch (RuntimeException e) {
                log.error("cannot render the bundle for the bundle endpoint", e);
                exchange.sendResponseHeaders(500, -1);
                return;
            }
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
