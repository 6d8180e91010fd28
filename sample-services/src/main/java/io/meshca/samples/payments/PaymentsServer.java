package io.meshca.samples.payments;

import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.netty.NettyServerBuilder;
import io.meshca.samples.tls.PeerIdentityInterceptor;
import io.meshca.samples.tls.PeerPolicy;
import io.meshca.samples.tls.RefusalListener;
import io.meshca.samples.tls.SpiffeTls;
import io.spiffe.workloadapi.X509Source;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/** The payments gRPC server over mTLS with the SVIDs of an {@link X509Source}. */
public final class PaymentsServer implements AutoCloseable {

    private final Server server;

    private PaymentsServer(Server server) {
        this.server = server;
    }

    /**
     * Starts the server; port 0 picks a free port (see {@link #port()}).
     *
     * @param maxConnectionAge how long a client connection may live: a short age makes clients
     *                         reconnect, so each SVID rotation is exercised by fresh handshakes
     *                         instead of hiding behind one long-lived HTTP/2 connection
     */
    public static PaymentsServer start(
            InetSocketAddress bind,
            X509Source source,
            PeerPolicy clients,
            RefusalListener refusals,
            BiConsumer<String, String> newClientCertificate,
            Duration maxConnectionAge) {
        Server server = NettyServerBuilder.forAddress(bind)
                .sslContext(SpiffeTls.server(source, clients, refusals))
                .maxConnectionAge(maxConnectionAge.toMillis(), TimeUnit.MILLISECONDS)
                .maxConnectionAgeGrace(5, TimeUnit.SECONDS)
                .addService(ServerInterceptors.intercept(
                        new PaymentsService(), new PeerIdentityInterceptor(newClientCertificate)))
                .build();
        try {
            server.start();
        } catch (IOException e) {
            throw new UncheckedIOException("payments cannot listen on " + bind + ": " + e.getMessage(), e);
        }
        return new PaymentsServer(server);
    }

    public int port() {
        return server.getPort();
    }

    /** Lets in-flight calls finish for a few seconds, then stops. */
    @Override
    public void close() {
        server.shutdown();
        try {
            if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
                server.shutdownNow();
            }
        } catch (InterruptedException e) {
            server.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
