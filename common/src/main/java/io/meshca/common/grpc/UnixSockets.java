package io.meshca.common.grpc;

import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.meshca.common.error.InvalidArgumentException;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.unix.DomainSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * gRPC over unix domain sockets (epoll), as the admin socket and the Workload API socket use. Accepts
 * both a plain path and the {@code unix:///abs/path} form of {@code SPIFFE_ENDPOINT_SOCKET}.
 */
public final class UnixSockets {

    private UnixSockets() {}

    /** {@code /abs/path} or {@code unix:///abs/path} (also {@code unix:/abs/path}) to an absolute path. */
    public static Path parseAddress(String address) {
        String path = address;
        if (address.startsWith("unix://")) {
            path = address.substring("unix://".length());
        } else if (address.startsWith("unix:")) {
            path = address.substring("unix:".length());
        }
        if (!path.startsWith("/")) {
            throw new InvalidArgumentException(
                    "socket address must be an absolute path or unix:///abs/path: " + address);
        }
        return Path.of(path);
    }

    /** A plaintext channel to the unix socket; close it with {@link #shutdown(ManagedChannel)}. */
    public static ManagedChannel channel(Path socket) {
        if (!Epoll.isAvailable()) {
            throw new IllegalStateException(
                    "unix domain sockets need Netty's epoll transport", Epoll.unavailabilityCause());
        }
        EventLoopGroup group = new EpollEventLoopGroup(1);
        ManagedChannel channel = NettyChannelBuilder.forAddress(new DomainSocketAddress(socket.toString()))
                .eventLoopGroup(group)
                .channelType(EpollDomainSocketChannel.class)
                .usePlaintext()
                .build();
        return new OwningChannel(channel, group);
    }

    /** Shuts the channel down and waits briefly for it to terminate. */
    public static void shutdown(ManagedChannel channel) {
        channel.shutdownNow();
        try {
            channel.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
