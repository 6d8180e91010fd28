package io.meshca.agent.client;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's connection to ca-server as its retry loops need it: a {@link Channel} that reconnects at
 * the pace of their retries, and a signal the moment it is back.
 *
 * <p>Left alone, gRPC backs off its reconnection attempts up to two minutes, and while it waits every
 * call fails at once: after an outage the server would be back long before the agent tried to reach
 * it. So a call made while the connection is failing first cuts gRPC's wait short, and the agent's own
 * {@link io.meshca.agent.retry.Backoff} (a few seconds at most) decides how often that happens. The
 * call itself still fails — gRPC keeps failing calls until the new connection is up — so when the
 * connection comes back after a failure, {@link #onReconnected} listeners are told at once and retry
 * without waiting for their next backoff step.
 */
public final class ServerConnection extends Channel implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ServerConnection.class);

    private final ManagedChannel channel;
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private volatile boolean failed;
    private volatile boolean closed;

    private ServerConnection(ManagedChannel channel) {
        this.channel = channel;
    }

    /** Watches {@code channel}'s state from now on, until {@link #close}. */
    public static ServerConnection watch(ManagedChannel channel) {
        ServerConnection connection = new ServerConnection(Objects.requireNonNull(channel, "channel"));
        connection.awaitChange(channel.getState(false));
        return connection;
    }

    /** Called, on a gRPC thread, whenever the connection is up again after failing; must return at once. */
    public void onReconnected(Runnable listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    private void awaitChange(ConnectivityState seen) {
        if (closed) {
            return;
        }
        channel.notifyWhenStateChanged(seen, () -> {
            ConnectivityState now = channel.getState(false);
            if (now == ConnectivityState.SHUTDOWN) {
                return;
            }
            if (now == ConnectivityState.TRANSIENT_FAILURE) {
                failed = true;
            } else if (now == ConnectivityState.READY && failed) {
                failed = false;
                log.info("connection to the server is back: retrying now");
                listeners.forEach(Runnable::run);
            }
            awaitChange(now);
        });
    }

    @Override
    public <Q, R> ClientCall<Q, R> newCall(MethodDescriptor<Q, R> method, CallOptions options) {
        if (channel.getState(false) == ConnectivityState.TRANSIENT_FAILURE) {
            channel.resetConnectBackoff();
        }
        return channel.newCall(method, options);
    }

    @Override
    public String authority() {
        return channel.authority();
    }

    /** Stops watching; the channel is its owner's to shut down. */
    @Override
    public void close() {
        closed = true;
    }
}
