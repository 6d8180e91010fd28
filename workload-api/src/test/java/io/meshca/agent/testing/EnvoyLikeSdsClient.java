package io.meshca.agent.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.envoyproxy.envoy.service.secret.v3.SecretDiscoveryServiceGrpc;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One SDS stream as Envoy holds it: requests out; the responses, then the stream's end, in order into
 * a queue that the test reads with a deadline (they may arrive on another thread).
 */
public final class EnvoyLikeSdsClient implements AutoCloseable {

    /** What the queue holds once the server completes the stream. */
    public static final String COMPLETED = "completed";

    private final BlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
    private final Duration wait;
    private final StreamObserver<DiscoveryRequest> requests;

    private EnvoyLikeSdsClient(Channel channel, Duration wait) {
        this.wait = wait;
        this.requests = SecretDiscoveryServiceGrpc.newStub(channel).streamSecrets(into(inbox));
    }

    /**
     * Opens StreamSecrets; nothing is sent yet.
     *
     * @param wait how long {@link #next} and {@link #error} wait for what they expect
     */
    public static EnvoyLikeSdsClient open(Channel channel, Duration wait) {
        return new EnvoyLikeSdsClient(channel, wait);
    }

    /** An observer that puts each response, then the end ({@link Status} or {@link #COMPLETED}), into {@code queue}. */
    public static StreamObserver<DiscoveryResponse> into(BlockingQueue<Object> queue) {
        return new StreamObserver<>() {
            @Override
            public void onNext(DiscoveryResponse response) {
                queue.add(response);
            }

            @Override
            public void onError(Throwable error) {
                queue.add(Status.fromThrowable(error));
            }

            @Override
            public void onCompleted() {
                queue.add(COMPLETED);
            }
        };
    }

    public void send(DiscoveryRequest request) {
        requests.onNext(request);
    }

    /** What arrives next within {@code timeout}, or null. */
    public Object poll(Duration timeout) throws InterruptedException {
        return inbox.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The next response; fails the test if something else, or nothing, comes. */
    public DiscoveryResponse next() throws InterruptedException {
        Object item = poll(wait);
        assertThat(item).as("a response within %s", wait).isInstanceOf(DiscoveryResponse.class);
        return (DiscoveryResponse) item;
    }

    /** The stream's end, kept for another look; fails the test if a response, or nothing, comes. */
    public Status error() throws InterruptedException {
        Object item = poll(wait);
        assertThat(item).as("the stream's end within %s", wait).isInstanceOf(Status.class);
        inbox.add(item);
        return (Status) item;
    }

    /** Cancels the stream, as Envoy does when it drops a listener. */
    @Override
    public void close() {
        requests.onError(Status.CANCELLED.withDescription("test done").asRuntimeException());
    }
}
