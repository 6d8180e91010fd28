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
 * caller matches no entry, or no longer does) — except before the first message while the caller's
 * SVIDs are still being signed, which the stream waits for, as SPIRE's agent does. The subscription is closed when the stream ends for
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
    // onNext/onError are called under it so that they never overlap.
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

    /** The cache's listener: one message per snapshot, or the end of the stream. */
    private void send(X509Snapshot snapshot) {
        WorkloadIdentitySource.Subscription ended = null;
        synchronized (this) {
            if (done) {
                return;
            }
            T message = null;
            if (last == null && snapshot.isAwaitingFirstSvid()) {
                // entitled, but the SVIDs are still being signed: the first message comes with them
                return;
            }
            if (snapshot.isEmpty()) {
                ended = end(Status.PERMISSION_DENIED.withDescription(NO_IDENTITY));
            } else {
                try {
                    message = convert.apply(snapshot);
                } catch (RuntimeException e) {
                    ended = end(GrpcErrors.toStatus(e).getStatus());
                }
            }
            if (message != null && !(skipUnchanged && message.equals(last))) {
                last = message;
                call.onNext(message);
            }
        }
        closeOutsideLock(ended);
    }

    private void attach(WorkloadIdentitySource.Subscription subscription) {
        synchronized (this) {
            if (!done) {
                this.subscription = subscription;
                return;
            }
        }
        subscription.close();
    }

    private void fail(Status status) {
        WorkloadIdentitySource.Subscription ended;
        synchronized (this) {
            if (done) {
                return;
            }
            ended = end(status);
        }
        closeOutsideLock(ended);
    }

    /** Ends the stream with {@code status} (under the lock, so no onNext can follow); returns the subscription to close. */
    private WorkloadIdentitySource.Subscription end(Status status) {
        call.onError(status.asRuntimeException());
        return detach();
    }

    /** The client cancelled (or the server is shutting down); idempotent. */
    private void close() {
        WorkloadIdentitySource.Subscription ended;
        synchronized (this) {
            ended = detach();
        }
        closeOutsideLock(ended);
    }

    private WorkloadIdentitySource.Subscription detach() {
        done = true;
        WorkloadIdentitySource.Subscription detached = subscription;
        subscription = null;
        return detached;
    }

    /**
     * Subscriptions are closed without holding this stream's lock: the source may hold its own lock
     * while it calls {@link #send}, and closing takes that lock, so closing under ours could deadlock.
     */
    private static void closeOutsideLock(WorkloadIdentitySource.Subscription subscription) {
        if (subscription != null) {
            subscription.close();
        }
    }
}
