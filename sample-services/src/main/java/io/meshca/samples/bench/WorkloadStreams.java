package io.meshca.samples.bench;

import io.grpc.ClientCall;
import io.grpc.ConnectivityState;
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
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Workload API connections as many workloads would open them: one unix-socket connection each (so the
 * agent attests each one), sharing one client event loop so that a thousand of them stay cheap here.
 * They go to the socket given at construction, or to any agent's ({@link #open(Path, Consumer, Consumer)}).
 */
final class WorkloadStreams implements AutoCloseable {

    static final Metadata.Key<String> SECURITY_HEADER =
            Metadata.Key.of("workload.spiffe.io", Metadata.ASCII_STRING_MARSHALLER);

    private final Path socket;
    private final EpollEventLoopGroup group = new EpollEventLoopGroup(2);

    WorkloadStreams(Path socket) {
        this.socket = socket;
    }

    /**
     * One workload connection and its FetchX509SVID stream; close it to end both. Created without
     * connecting ({@link #prepare()}), so that a measurement can leave building the channel object out
     * of its window; the connection is made by {@link #connect} or by the first call.
     */
    final class Stream implements AutoCloseable {
        private final Path socket;
        private final ManagedChannel channel;
        private volatile ClientCall<X509SVIDRequest, X509SVIDResponse> call;

        private Stream(Path socket) {
            this.socket = socket;
            channel = NettyChannelBuilder.forAddress(new DomainSocketAddress(socket.toString()))
                    .eventLoopGroup(group)
                    .channelType(EpollDomainSocketChannel.class)
                    .usePlaintext()
                    .build();
        }

        /** Connects now and waits until the connection is ready for calls. */
        void connect(Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                ConnectivityState state = channel.getState(true);
                if (state == ConnectivityState.READY) {
                    return;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new IllegalStateException(
                            "no connection to " + socket + " within " + timeout + " (" + state + ")");
                }
                CountDownLatch changed = new CountDownLatch(1);
                channel.notifyWhenStateChanged(state, changed::countDown);
                changed.await(left, TimeUnit.NANOSECONDS);
            }
        }

        /** Starts the FetchX509SVID stream (connecting first if {@link #connect} was not called). */
        void fetchX509Svid(Consumer<X509SVIDResponse> onMessage, Consumer<Status> onError) {
            Metadata headers = new Metadata();
            headers.put(SECURITY_HEADER, "true");
            var stub = SpiffeWorkloadAPIGrpc.newStub(channel)
                    .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
            ClientCall<X509SVIDRequest, X509SVIDResponse> started =
                    stub.getChannel().newCall(SpiffeWorkloadAPIGrpc.getFetchX509SVIDMethod(), stub.getCallOptions());
            call = started;
            ClientCalls.asyncServerStreamingCall(started, X509SVIDRequest.getDefaultInstance(), new StreamObserver<>() {
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
                public void onCompleted() {}
            });
        }

        @Override
        public void close() {
            ClientCall<X509SVIDRequest, X509SVIDResponse> started = call;
            if (started != null) {
                started.cancel("bench done", null);
            }
            channel.shutdownNow();
        }
    }

    /** A connection not made yet, with no stream. */
    Stream prepare() {
        return new Stream(socket);
    }

    /** Connects and starts a FetchX509SVID stream at once. */
    Stream open(Consumer<X509SVIDResponse> onMessage, Consumer<Status> onError) {
        return open(socket, onMessage, onError);
    }

    /** Connects to the agent serving on {@code agentSocket} and starts a FetchX509SVID stream at once. */
    Stream open(Path agentSocket, Consumer<X509SVIDResponse> onMessage, Consumer<Status> onError) {
        Stream stream = new Stream(agentSocket);
        stream.fetchX509Svid(onMessage, onError);
        return stream;
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
