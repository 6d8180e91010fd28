package io.meshca.agent.client;

import io.grpc.EquivalentAddressGroup;
import io.grpc.NameResolver;
import io.grpc.Status;
import io.grpc.SynchronizationContext;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resolves the operator's list of ca-server replicas to every address each entry names: an IP literal
 * to itself, a host name to all the addresses DNS returns for it. Each address becomes its own
 * subchannel, so that {@code round_robin} spreads calls over the replicas and skips a dead one.
 *
 * <p>Lookups block, so they run on the channel's offload executor; results are delivered in its
 * synchronization context. An entry that does not resolve is left out as long as another one does, so
 * one stale DNS name does not cut the agent off; the channel asks again ({@link #refresh}) when a
 * connection fails, which picks up replicas that were added or moved.
 */
final class ServerListNameResolver extends NameResolver {

    private static final Logger log = LoggerFactory.getLogger(ServerListNameResolver.class);

    /** Looks up a host's addresses; {@link InetAddress#getAllByName} outside tests. */
    interface AddressLookup {
        InetAddress[] lookup(String host) throws UnknownHostException;
    }

    private final List<ServerAddress> servers;
    private final AddressLookup lookup;
    private final Executor offload;
    private final SynchronizationContext syncContext;

    // the fields below are touched only in syncContext
    private Listener2 listener;
    private boolean resolving;
    private boolean shutdown;

    ServerListNameResolver(
            List<ServerAddress> servers, AddressLookup lookup, Executor offload, SynchronizationContext syncContext) {
        if (servers.isEmpty()) {
            throw new IllegalArgumentException("no ca-server address");
        }
        this.servers = List.copyOf(servers);
        this.lookup = Objects.requireNonNull(lookup, "lookup");
        this.offload = Objects.requireNonNull(offload, "offload");
        this.syncContext = Objects.requireNonNull(syncContext, "syncContext");
    }

    /** The first entry: what the TLS handshake sends as SNI (the server identity is the SPIFFE ID). */
    @Override
    public String getServiceAuthority() {
        return servers.get(0).toString();
    }

    @Override
    public void start(Listener2 listener) {
        this.listener = Objects.requireNonNull(listener, "listener");
        resolve();
    }

    @Override
    public void refresh() {
        resolve();
    }

    @Override
    public void shutdown() {
        shutdown = true;
    }

    private void resolve() {
        if (resolving || shutdown) {
            return;
        }
        resolving = true;
        offload.execute(() -> {
            Resolution resolution = lookUpAll();
            syncContext.execute(() -> {
                resolving = false;
                if (!shutdown) {
                    deliver(resolution);
                }
            });
        });
    }

    private void deliver(Resolution resolution) {
        if (resolution.addresses().isEmpty()) {
            listener.onError(Status.UNAVAILABLE.withDescription(
                    "no ca-server address resolves: " + String.join("; ", resolution.failures())));
            return;
        }
        // the replicas that remain still serve; the operator should fix or drop the names that failed
        resolution
                .failures()
                .forEach(failure -> log.warn("ca-server address does not resolve, using the others: {}", failure));
        List<EquivalentAddressGroup> groups = new ArrayList<>();
        resolution.addresses().forEach(address -> groups.add(new EquivalentAddressGroup(address)));
        listener.onResult(ResolutionResult.newBuilder().setAddresses(groups).build());
    }

    private Resolution lookUpAll() {
        Set<InetSocketAddress> addresses = new LinkedHashSet<>();
        List<String> failures = new ArrayList<>();
        for (ServerAddress server : servers) {
            try {
                for (InetAddress ip : lookup.lookup(server.host())) {
                    addresses.add(new InetSocketAddress(ip, server.port()));
                }
            } catch (UnknownHostException | RuntimeException e) {
                failures.add(server.host() + ": " + e.getMessage());
            }
        }
        return new Resolution(List.copyOf(addresses), List.copyOf(failures));
    }

    private record Resolution(List<InetSocketAddress> addresses, List<String> failures) {}
}
