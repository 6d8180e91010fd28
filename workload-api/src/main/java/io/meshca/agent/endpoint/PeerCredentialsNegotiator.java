package io.meshca.agent.endpoint;

import io.grpc.netty.GrpcHttp2ConnectionHandler;
import io.grpc.netty.InternalProtocolNegotiator;
import io.grpc.netty.InternalProtocolNegotiators;
import io.meshca.agent.attestation.workload.ProcessStartTimes;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.unix.PeerCredentials;
import io.netty.util.AsciiString;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * Plaintext gRPC on a unix socket, with the kernel's peer credentials of every connection attached to
 * the transport attributes. grpc-java has no public API for unix peer credentials; its internal
 * negotiator API is the one seam that sees the Netty channel before any call is accepted.
 *
 * <p>Pipeline: [{@link PeerCredentialsHandler}, plaintext negotiation handlers]. gRPC fires its
 * protocol negotiation event from the head of the pipeline, so the credentials are added before the
 * plaintext handlers pass the event on to the HTTP/2 handler.
 */
final class PeerCredentialsNegotiator implements InternalProtocolNegotiator.ProtocolNegotiator {

    private static final ProcessStartTimes START_TIMES = ProcessStartTimes.system();

    private final InternalProtocolNegotiator.ProtocolNegotiator plaintext =
            InternalProtocolNegotiators.serverPlaintext();
    private final Function<Channel, UnixPeer> credentialsReader;

    PeerCredentialsNegotiator() {
        this(PeerCredentialsNegotiator::readEpollPeer);
    }

    PeerCredentialsNegotiator(Function<Channel, UnixPeer> credentialsReader) {
        this.credentialsReader = credentialsReader;
    }

    @Override
    public AsciiString scheme() {
        return plaintext.scheme();
    }

    @Override
    public ChannelHandler newHandler(GrpcHttp2ConnectionHandler grpcHandler) {
        ChannelHandler negotiation = plaintext.newHandler(grpcHandler);
        PeerCredentialsHandler credentials = new PeerCredentialsHandler(credentialsReader);
        // gRPC adds one handler; it installs both, credentials first, then steps aside.
        return new ChannelInboundHandlerAdapter() {
            @Override
            public void handlerAdded(ChannelHandlerContext ctx) {
                ctx.pipeline().addAfter(ctx.name(), null, negotiation);
                ctx.pipeline().replace(this, null, credentials);
            }
        };
    }

    @Override
    public void close() {
        plaintext.close();
    }

    /**
     * SO_PEERCRED of an accepted epoll domain socket, with the peer's start time read at once, so that
     * a later reuse of its PID can be told apart.
     */
    static UnixPeer readEpollPeer(Channel channel) {
        if (!(channel instanceof EpollDomainSocketChannel domainChannel)) {
            throw new IllegalStateException(
                    "not an epoll domain socket: " + channel.getClass().getName());
        }
        try {
            PeerCredentials credentials = domainChannel.peerCredentials();
            List<Integer> gids = Arrays.stream(credentials.gids()).boxed().toList();
            return new UnixPeer(credentials.pid(), credentials.uid(), gids, START_TIMES.of(credentials.pid()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
