package io.meshca.agent.api;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.meshca.agent.cache.WorkloadIdentitySource;
import io.meshca.agent.cache.X509Snapshot;
import io.meshca.common.error.GrpcErrors;
import java.util.Objects;
import java.util.function.Function;

/**
 * One Workload API server stream fed by one cache subscription: each snapshot becomes one message
 * carrying the full state. A snapshot without SVIDs ends the stream with PERMISSION_DENIED (the
 * caller matches no entry, or no longer does). The subscription is closed when the stream ends for
 * any reason, including the client cancelling.
 *
 * @param <T> the response message type
 */
final class SnapshotStream<T> {

    static final String NO_IDENTITY = "no identity issued";

    private final ServerCallStreamObserver<T> call;
    private final Function<X509Snapshot, T> convert;
    private final boolean skipUnchanged;

    // Guarded by this: the listener (cache thread) and the cancel handler (gRPC thread) race.
    private WorkloadIdentitySource.Subscription subscription;
    private boolean done;
    private T last;

    private SnapshotStream(ServerCallStreamObserver<T> call, Function<X509Snapshot, T> convert, boolean skipUnchanged) {
        this.call = call;
        this.convert = convert;
        this.skipUnchanged = skipUnchanged;
    }

    /**
     * Starts streaming the snapshots of {@code subscribe} to {@code call}.
     *
     * @param skipUnchanged send a message only when it differs from the previous one (for bundles,
     *     which do not change when an SVID rotates)
     */
    static <T> void start(ServerCallStreamObserver<T> call, Function<X509Snapshot, T> convert, boolean skipUnchanged,
                          Function<java.util.function.Consumer<X509Snapshot>, WorkloadIdentitySource.Subscription> subscribe) {
        SnapshotStream<T> stream = new SnapshotStream<>(call, convert, skipUnchanged);
        call.setOnCancelHandler(stream::close);
        WorkloadIdentitySource.Subscription subscription;
        try {
            subscription = Objects.requireNonNull(subscribe.apply(stream::send), "subscription");
        } catch (RuntimeException e) {
            stream.fail(GrpcErrors.toStatus(e).getStatus());
            return;
        }
        stream.attach(subscription);
    }

    private synchronized void send(X509Snapshot snapshot) {
        if (done) {
            return;
        }
        if (snapshot.isEmpty()) {
            fail(Status.PERMISSION_DENIED.withDescription(NO_IDENTITY));
            return;
        }
        T message;
        try {
            message = convert.apply(snapshot);
        } catch (RuntimeException e) {
            fail(GrpcErrors.toStatus(e).getStatus());
            return;
        }
        if (skipUnchanged && message.equals(last)) {
            return;
        }
        last = message;
        call.onNext(message);
    }

    private synchronized void attach(WorkloadIdentitySource.Subscription subscription) {
        if (done) {
            subscription.close();
        } else {
            this.subscription = subscription;
        }
    }

    private synchronized void fail(Status status) {
        if (done) {
            return;
        }
        close();
        call.onError(status.asRuntimeException());
    }

    /** Ends the subscription; idempotent. */
    private synchronized void close() {
        done = true;
        if (subscription != null) {
            subscription.close();
            subscription = null;
        }
    }
}
