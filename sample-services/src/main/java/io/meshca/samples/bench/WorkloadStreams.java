package io.meshca.samples.bench;

import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.meshca.proto.workload.SpiffeWorkloadAPIGrpc;
import io.meshca.proto.workload.X509SVIDRequest;
import io.meshca.proto.workload.X509SVIDResponse;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.unix.DomainSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Workload API connections as many workloads would open them: one unix-socket connection each (so the
 * agent attests each one), sharing one client event loop so that a thousand of them stay cheap here.
 */
final class WorkloadStreams implements AutoCloseable {

    static final Metadata.Key<String> SECURITY_HEADER = Metadata.Key.of("workload.spiffe.io", Metadata.ASCII_STRING_MARSHALLER);

    private final Path socket;
    private final EpollEventLoopGroup group = new EpollEventLoopGroup(2);

    WorkloadStreams(Path socket) {
        this.socket = socket;
    }

    /** One workload connection with an open FetchX509SVID stream; close it to end both. */
    final class Stream implements AutoCloseable {
        private final ManagedChannel channel;
        private final ClientCall<X509SVIDRequest, X509SVIDResponse> call;

        private Stream(Consumer<X509SVIDResponse> onMessage, Consumer<Status> onError) {
            channel = NettyChannelBuilder.forAddress(new DomainSocketAddress(socket.toString()))
                    .eventLoopGroup(group)
                    .channelType(EpollDomainSocketChannel.class)
                    .usePlaintext()
                    .build();
            Metadata headers = new Metadata();
            headers.put(SECURITY_HEADER, "true");
            var stub = SpiffeWorkloadAPIGrpc.newStub(channel)
                    .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
            call = stub.getChannel().newCall(SpiffeWorkloadAPIGrpc.getFetchX509SVIDMethod(), stub.getCallOptions());
            ClientCalls.asyncServerStreamingCall(call, X509SVIDRequest.getDefaultInstance(), new StreamObserver<>() {
                @Override
                public void onNext(X509SVIDResponse value) {
                    onMessage.accept(value);
                }

                @Override
                public void onError(Throwable t) {
                    Status status = Status.fromThrowable(t);
                    if (status.getCode() != Status.Code.CANCELLED) {
                        onError.accept(status);
                    }
                }

                @Override
                public void onCompleted() {
                }
            });
        }

        @Override
        public void close() {
            call.cancel("bench done", null);
            channel.shutdownNow();
        }
    }

    Stream open(Consumer<X509SVIDResponse> onMessage, Consumer<Status> onError) {
        return new Stream(onMessage, onError);
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
