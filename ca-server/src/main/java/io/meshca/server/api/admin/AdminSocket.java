package io.meshca.server.api.admin;

import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.NettyServerBuilder;
import io.meshca.common.grpc.ErrorMappingInterceptor;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API on a unix socket: the directory is created 0700 and the socket chmod 0600, so only the
 * server's user can administer it. A stale socket file from a crashed run is replaced.
 */
public final class AdminSocket implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AdminSocket.class);

    /**
     * The largest admin request accepted. Most are a few hundred bytes; the largest are a foreign trust
     * domain's bundle set by hand (SetFederatedBundle: a JWKS of X.509 and JWT authorities, about 2 KB
     * per certificate) and an entry with many selectors (at most 1 KB each). 4 MiB holds a bundle of
     * about two thousand certificates. Only the server's own user can connect (the socket is 0600), so
     * this bounds mistakes more than attacks.
     */
    public static final int MAX_REQUEST_BYTES = 4 * 1024 * 1024;

    private final Path path;
    private final Server server;
    private final EventLoopGroup group;

    private AdminSocket(Path path, Server server, EventLoopGroup group) {
        this.path = path;
        this.server = server;
        this.group = group;
    }

    public static AdminSocket start(
            Path path, List<BindableService> services, List<ServerServiceDefinition> raw, ServerInterceptor interceptor)
            throws IOException {
        if (!Epoll.isAvailable()) {
            throw new IllegalStateException(
                    "the admin socket needs Netty's epoll transport", Epoll.unavailabilityCause());
        }
        Path dir = path.toAbsolutePath().getParent();
        if (!Files.isDirectory(dir)) {
            // Directories we create are 0700; an existing one is left alone (never chmod /tmp!), and the
            // socket's own 0600 mode still keeps other users out.
            Files.createDirectories(
                    dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } else if (!PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))
                .endsWith("------")) {
            log.warn("admin socket directory {} is accessible to other users; the socket itself is 0600", dir);
        }
        checkAvailable(path);
        Files.deleteIfExists(path); // stale, from a server that did not shut down cleanly
        EventLoopGroup group = new EpollEventLoopGroup(1);
        NettyServerBuilder builder = NettyServerBuilder.forAddress(new DomainSocketAddress(path.toString()))
                .channelType(EpollServerDomainSocketChannel.class)
                .bossEventLoopGroup(group)
                .workerEventLoopGroup(group)
                .maxInboundMessageSize(MAX_REQUEST_BYTES);
        for (BindableService s : services) {
            builder.addService(ServerInterceptors.intercept(s, new ErrorMappingInterceptor(), interceptor));
        }
        raw.forEach(builder::addService);
        Server server;
        try {
            server = builder.build().start();
        } catch (IOException e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw new IOException("cannot listen on admin socket " + path + ": " + e.getMessage(), e);
        }
        try {
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
        } catch (IOException e) {
            server.shutdownNow();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw new UncheckedIOException("cannot restrict admin socket " + path, e);
        }
        return new AdminSocket(path, server, group);
    }

    /**
     * Fails if the path is taken: by something that is not a socket, or by a server that answers. Called
     * before anything else starts, so that a second server on the same socket changes nothing.
     */
    public static void checkAvailable(Path path) throws IOException {
        if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            if (!isSocket(path)) {
                throw new IOException("admin socket path " + path + " exists and is not a socket");
            }
            if (isLive(path)) {
                throw new IOException("admin socket " + path + " is in use by a running server");
            }
        }
    }

    private static boolean isLive(Path p) {
        try (var channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(p));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean isSocket(Path p) throws IOException {
        return Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
                .isOther();
    }

    public Path path() {
        return path;
    }

    @Override
    public void close() {
        server.shutdown();
        try {
            if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
                server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        try {
            Files.deleteIfExists(path);
        } catch (IOException ignored) {
            // best effort: a stale socket is replaced at the next start
        }
    }
}
