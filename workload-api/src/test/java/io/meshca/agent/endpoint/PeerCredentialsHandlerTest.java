package io.meshca.agent.endpoint;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.netty.InternalProtocolNegotiationEvent;
import io.grpc.netty.ProtocolNegotiationEvent;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.List;
import org.junit.jupiter.api.Test;

class PeerCredentialsHandlerTest {

    @Test
    void theEventPassedOn_hasThePeerInItsAttributes() {
        UnixPeer peer = new UnixPeer(4242, 1000, List.of(1000), 777);
        EventProbe probe = new EventProbe();
        EmbeddedChannel channel = new EmbeddedChannel(new PeerCredentialsHandler(ch -> peer), probe);

        channel.pipeline().fireUserEventTriggered(InternalProtocolNegotiationEvent.getDefault());

        assertThat(channel.pipeline().get(PeerCredentialsHandler.class)).isNull();
        assertThat(probe.seen).isNotNull();
        assertThat(InternalProtocolNegotiationEvent.getAttributes(probe.seen).get(UnixPeer.TRANSPORT_ATTR))
                .isEqualTo(peer);
    }

    @Test
    void unreadableCredentials_closeTheConnection_andNothingReachesGrpc() {
        EventProbe probe = new EventProbe();
        EmbeddedChannel channel = new EmbeddedChannel(
                new PeerCredentialsHandler(ch -> {
                    throw new IllegalStateException("no SO_PEERCRED");
                }),
                probe);

        channel.pipeline().fireUserEventTriggered(InternalProtocolNegotiationEvent.getDefault());

        assertThat(channel.isOpen()).isFalse();
        assertThat(probe.seen).isNull();
    }

    @Test
    void otherEvents_passThroughUntouched() {
        EventProbe probe = new EventProbe();
        EmbeddedChannel channel = new EmbeddedChannel(
                new PeerCredentialsHandler(ch -> {
                    throw new AssertionError("must not read credentials for other events");
                }),
                probe);

        channel.pipeline().fireUserEventTriggered("something else");

        assertThat(probe.other).isEqualTo("something else");
        assertThat(channel.pipeline().get(PeerCredentialsHandler.class)).isNotNull();
    }

    private static final class EventProbe extends ChannelInboundHandlerAdapter {
        ProtocolNegotiationEvent seen;
        Object other;

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
            if (event instanceof ProtocolNegotiationEvent negotiation) {
                seen = negotiation;
            } else {
                other = event;
            }
        }
    }
}
