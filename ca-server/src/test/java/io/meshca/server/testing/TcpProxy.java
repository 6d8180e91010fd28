package io.meshca.server.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A TCP proxy on loopback, to take a database away from a server under test without stopping the
 * database others share: it forwards its port to the target until {@link #cut()}, which closes every
 * connection and refuses new ones (connection refused, as from a stopped PostgreSQL), and accepts again
 * on the same port after {@link #resume()}.
 */
public final class TcpProxy implements AutoCloseable {

    private final InetSocketAddress target;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "tcp-proxy");
        t.setDaemon(true);
        return t;
    });
    /** Guarded by this, as is {@link #listener}. */
    private final Set<Socket> open = new HashSet<>();

    private ServerSocket listener;
    private final int port;

    private TcpProxy(InetSocketAddress target) throws IOException {
        this.target = target;
        this.listener = listen(0);
        this.port = listener.getLocalPort();
        accept(listener);
    }

    /** A proxy forwarding a free loopback port to {@code host:port}. */
    public static TcpProxy to(String host, int port) {
        try {
            return new TcpProxy(new InetSocketAddress(host, port));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the test proxy", e);
        }
    }

    /**
     * A proxy to the host and port of a single-host PostgreSQL JDBC URL; {@link #jdbcUrl} gives the URL
     * through it.
     */
    public static TcpProxy toDatabase(String jdbcUrl) {
        String hostPort = jdbcUrl.replaceFirst("^jdbc:postgresql://([^/?]+).*$", "$1");
        int colon = hostPort.lastIndexOf(':');
        return colon < 0
                ? to(hostPort, 5432)
                : to(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
    }

    public int port() {
        return port;
    }

    /** {@code jdbcUrl} with its host and port replaced by this proxy's. */
    public String jdbcUrl(String jdbcUrl) {
        return jdbcUrl.replaceFirst("^jdbc:postgresql://[^/?]+", "jdbc:postgresql://127.0.0.1:" + port);
    }

    /** Closes every connection through the proxy and refuses new ones until {@link #resume()}. */
    public synchronized void cut() {
        closeQuietly(listener);
        listener = null;
        open.forEach(TcpProxy::closeQuietly);
        open.clear();
    }

    /** Accepts connections again, on the same port. */
    public synchronized void resume() {
        if (listener != null) {
            return;
        }
        try {
            listener = listen(port);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen again on port " + port, e);
        }
        accept(listener);
    }

    @Override
    public void close() {
        cut();
        threads.shutdownNow();
    }

    private static ServerSocket listen(int port) throws IOException {
        ServerSocket socket = new ServerSocket();
        socket.setReuseAddress(true); // the port is ours again at once after a cut
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        return socket;
    }

    private void accept(ServerSocket from) {
        threads.execute(() -> {
            while (!from.isClosed()) {
                try {
                    forward(from.accept());
                } catch (IOException e) {
                    return; // cut or closed
                }
            }
        });
    }

    private void forward(Socket client) throws IOException {
        Socket server;
        try {
            server = new Socket(target.getAddress(), target.getPort());
        } catch (IOException e) {
            closeQuietly(client);
            return;
        }
        synchronized (this) {
            if (listener == null) {
                // cut while this connection was being made: it must not outlive the cut
                closeQuietly(client);
                closeQuietly(server);
                return;
            }
            open.add(client);
            open.add(server);
        }
        threads.execute(() -> pump(client, server));
        threads.execute(() -> pump(server, client));
    }

    /** Copies one direction until either side ends, then ends both. */
    private void pump(Socket from, Socket to) {
        try (InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream()) {
            in.transferTo(out);
        } catch (IOException e) {
            // a cut, or a side that went away
        } finally {
            closeQuietly(from);
            closeQuietly(to);
            synchronized (this) {
                open.remove(from);
                open.remove(to);
            }
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            // already closed
        }
    }
}
