package io.meshca.agent.endpoint;

import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.InternalNettyServerCredentials;
import io.grpc.netty.NettyServerBuilder;
import io.meshca.common.error.UnavailableException;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A gRPC server on a unix domain socket that knows who each caller is: the kernel's peer credentials of every connection are in the transport attributes under
 * {@link UnixPeer#TRANSPORT_ATTR}. Authorization is the services' business (through interceptors);
 * who may connect at all is the socket's mode and group ({@link SocketAccess}).
 */
public final class UnixSocketServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(UnixSocketServer.class);

    /**
     * The largest request accepted on the agent's socket, which every local user can connect to. Workload
     * API requests are tiny: the largest is a FetchJWTSVID at the audience bounds (under 9 KB) or a
     * ValidateJWTSVID carrying one token. SDS shares the socket, and Envoy repeats its Node description
     * (with the list of its extensions, about 23 KB) in its discovery requests. 256 KiB holds ten of
     * those, while no local process can make the agent buffer megabytes per call.
     */
    public static final int MAX_REQUEST_BYTES = 256 * 1024;

    private final Path socket;
    private final Server server;
    private final EventLoopGroup bossGroup;
    private final EventLoopGroup workerGroup;
    private final CallExecutor calls;

    private UnixSocketServer(
            Path socket, Server server, EventLoopGroup bossGroup, EventLoopGroup workerGroup, CallExecutor calls) {
        this.socket = socket;
        this.server = server;
        this.bossGroup = bossGroup;
        this.workerGroup = workerGroup;
        this.calls = calls;
    }

    /**
     * Binds the socket and starts serving. Creates the socket's directory (0755) if missing, removes a
     * stale socket file left by a crashed agent, and gives the socket the mode and group of {@code access}.
     *
     * @throws UnavailableException if epoll is unavailable, the socket cannot be bound, or its mode or
     *     group cannot be set
     */
    public static UnixSocketServer start(Path socket, List<ServerServiceDefinition> services) {
        return start(socket, SocketAccess.DEFAULT, services);
    }

    /**
     * As {@link #start(Path, List)}, with the socket's mode and group given.
     *
     * @throws UnavailableException as {@link #start(Path, List)}, or if the mode or group cannot be set
     */
    public static UnixSocketServer start(Path socket, SocketAccess access, List<ServerServiceDefinition> services) {
        Objects.requireNonNull(socket, "socket");
        if (!Epoll.isAvailable()) {
            throw new UnavailableException(
                    "unix domain sockets need Netty's epoll transport (Linux)", Epoll.unavailabilityCause());
        }
        Path path = socket.toAbsolutePath();
        prepareDirectory(path);
        EventLoopGroup boss = new EpollEventLoopGroup(1);
        EventLoopGroup workers = new EpollEventLoopGroup(2);
        CallExecutor calls =
                new CallExecutor("meshca-agent-calls", CallExecutor.defaultThreads(), CallExecutor.DEFAULT_STALL_AFTER);
        Server server = null;
        try {
            NettyServerBuilder builder = NettyServerBuilder.forAddress(
                            new DomainSocketAddress(path.toString()),
                            InternalNettyServerCredentials.create(new PeerCredentialsNegotiator()))
                    .bossEventLoopGroup(boss)
                    .workerEventLoopGroup(workers)
                    .channelType(EpollServerDomainSocketChannel.class)
                    .maxInboundMessageSize(MAX_REQUEST_BYTES)
                    .executor(calls);
            services.forEach(builder::addService);
            server = builder.build().start();
            access.apply(path);
            log.info(
                    "serving on unix socket {} (mode {}, group {})",
                    path,
                    PosixFilePermissions.toString(access.mode()),
                    access.group().orElse("the agent's"));
            return new UnixSocketServer(path, server, boss, workers, calls);
        } catch (IOException | RuntimeException e) {
            if (server != null) {
                server.shutdownNow();
            }
            boss.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            workers.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            calls.close();
            throw new UnavailableException("cannot serve on unix socket " + path + ": " + e.getMessage(), e);
        }
    }

    /**
     * Checks, without serving, that {@link #start} could bind {@code socket}: prepares its directory as
     * start does, binds a probe socket and removes it again. For checks before side effects elsewhere
     * (the agent spends its join token only once it knows it can serve).
     *
     * @throws UnavailableException naming the socket and the cause
     */
    public static void checkBindable(Path socket) {
        Path path = socket.toAbsolutePath();
        prepareDirectory(path);
        try (ServerSocketChannel probe = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            probe.bind(UnixDomainSocketAddress.of(path));
            // only the file this probe bound is removed; a failed bind leaves the path as it was
            Files.delete(path);
        } catch (IOException | RuntimeException e) {
            throw new UnavailableException("cannot serve on unix socket " + path + ": " + e.getMessage(), e);
        }
    }

    public Path socket() {
        return socket;
    }

    /** Stops accepting, cancels open calls (streams end), frees the threads, removes the socket file. */
    @Override
    public void close() {
        server.shutdownNow();
        try {
            server.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        bossGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        workerGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        calls.close();
        try {
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            log.warn("cannot remove socket file {}: {}", socket, e.getMessage());
        }
    }

    private static void prepareDirectory(Path path) {
        try {
            Path dir = path.getParent();
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir);
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
            // A crashed agent leaves its socket file behind; binding would fail with "address in use".
            // A live one must not have its socket stolen.
            if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
                if (!isSocket(path)) {
                    throw new UnavailableException("refusing to replace " + path + ": it exists and is not a socket");
                }
                if (someoneListens(path)) {
                    throw new UnavailableException("another process is already serving on " + path);
                }
                Files.delete(path);
            }
        } catch (IOException e) {
            throw new UnavailableException("cannot prepare unix socket " + path + ": " + e.getMessage(), e);
        }
    }

    private static boolean isSocket(Path path) throws IOException {
        return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
                .isOther();
    }

    /** True if a connect succeeds; a stale socket file refuses connections. */
    private static boolean someoneListens(Path path) {
        try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            return probe.connect(UnixDomainSocketAddress.of(path));
        } catch (IOException e) {
            return false;
        }
    }
}
