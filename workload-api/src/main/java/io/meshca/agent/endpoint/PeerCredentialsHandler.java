package io.meshca.agent.endpoint;

import io.grpc.Attributes;
import io.grpc.netty.InternalProtocolNegotiationEvent;
import io.grpc.netty.ProtocolNegotiationEvent;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.Objects;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the kernel's peer credentials once per connection and adds them to gRPC's protocol
 * negotiation event, which becomes the transport's attributes ({@link UnixPeer#TRANSPORT_ATTR}). Like
 * Netty's {@code AbstractRemoteAddressFilter}: it decides on the first event, then removes itself. A
 * connection whose credentials cannot be read is closed: a caller we cannot identify gets nothing.
 */
final class PeerCredentialsHandler extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(PeerCredentialsHandler.class);

    private final Function<Channel, UnixPeer> credentialsReader;

    PeerCredentialsHandler(Function<Channel, UnixPeer> credentialsReader) {
        this.credentialsReader = Objects.requireNonNull(credentialsReader, "credentialsReader");
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (!(event instanceof ProtocolNegotiationEvent negotiation)) {
            super.userEventTriggered(ctx, event);
            return;
        }
        UnixPeer peer;
        try {
            peer = credentialsReader.apply(ctx.channel());
        } catch (RuntimeException e) {
            log.warn("closing a Workload API connection whose peer credentials cannot be read", e);
            ctx.close();
            return;
        }
        Attributes attributes = InternalProtocolNegotiationEvent.getAttributes(negotiation).toBuilder()
                .set(UnixPeer.TRANSPORT_ATTR, peer)
                .build();
        ctx.pipeline().remove(this);
        ctx.fireUserEventTriggered(InternalProtocolNegotiationEvent.withAttributes(negotiation, attributes));
    }
}
