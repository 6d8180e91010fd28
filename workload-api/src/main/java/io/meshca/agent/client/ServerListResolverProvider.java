package io.meshca.agent.client;

import io.grpc.NameResolver;
import io.grpc.NameResolverProvider;
import io.grpc.NameResolverRegistry;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ForkJoinPool;

/**
 * The {@code meshca-servers} target scheme: a channel built for {@link #TARGET} resolves the list of
 * {@link ServerAddress}es it was given as the name-resolver argument {@link #SERVERS}. grpc-java has
 * no resolver for a fixed list of host names, and DNS alone cannot name replicas that live under
 * different names.
 */
final class ServerListResolverProvider extends NameResolverProvider {

    static final String SCHEME = "meshca-servers";
    static final String TARGET = SCHEME + ":///ca-server";
    static final NameResolver.Args.Key<List<ServerAddress>> SERVERS = NameResolver.Args.Key.create("meshca-servers");

    private static final ServerListResolverProvider INSTANCE = new ServerListResolverProvider();

    static {
        // registered once per JVM; the scheme is ours, so no other target is affected
        NameResolverRegistry.getDefaultRegistry().register(INSTANCE);
    }

    private ServerListResolverProvider() {}

    /** Makes sure the scheme is registered before a channel for {@link #TARGET} is built. */
    static void ensureRegistered() {
        // loading the class ran the static registration
    }

    @Override
    public NameResolver newNameResolver(URI targetUri, NameResolver.Args args) {
        if (!SCHEME.equals(targetUri.getScheme())) {
            return null;
        }
        List<ServerAddress> servers = args.getArg(SERVERS);
        if (servers == null) {
            throw new IllegalArgumentException(TARGET + " needs the list of servers as the SERVERS argument");
        }
        var offload = args.getOffloadExecutor() != null ? args.getOffloadExecutor() : ForkJoinPool.commonPool();
        return new ServerListNameResolver(
                servers, InetAddress::getAllByName, offload, args.getSynchronizationContext());
    }

    @Override
    public String getDefaultScheme() {
        return SCHEME;
    }

    @Override
    protected boolean isAvailable() {
        return true;
    }

    @Override
    protected int priority() {
        return 1; // below dns (5): never the default scheme for targets that name none
    }

    @Override
    public Collection<Class<? extends SocketAddress>> getProducedSocketAddressTypes() {
        return List.of(InetSocketAddress.class);
    }
}
