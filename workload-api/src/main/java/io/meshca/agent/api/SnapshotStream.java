package io.meshca.agent.api;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.meshca.agent.cache.WorkloadIdentitySource;
import io.meshca.agent.cache.X509Snapshot;
import io.meshca.common.error.GrpcErrors;
import java.util.Objects;
import java.util.function.Consumer;
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
    private final X509Snapshot.View<T> view;
    private final boolean skipUnchanged;

    // The listener (cache thread) and the cancel handler (gRPC thread) race: both take this stream's
    // monitor, and onNext/onError are called under it so that they never overlap.
    private final CallSubscription lifecycle;
    private T last; // guarded by this

    private SnapshotStream(ServerCallStreamObserver<T> call, X509Snapshot.View<T> view, boolean skipUnchanged) {
        this.call = call;
        this.view = view;
        this.skipUnchanged = skipUnchanged;
        this.lifecycle = new CallSubscription(this, call);
    }

    /**
     * Starts streaming the snapshots of {@code subscribe} to {@code call}, each as {@code view} renders it
     * (once per snapshot, shared by every stream it reaches).
     *
     * @param skipUnchanged send a message only when it differs from the previous one (for bundles,
     *     which do not change when an SVID rotates)
     */
    static <T> void start(
            ServerCallStreamObserver<T> call,
            X509Snapshot.View<T> view,
            boolean skipUnchanged,
            Function<Consumer<X509Snapshot>, WorkloadIdentitySource.Subscription> subscribe) {
        SnapshotStream<T> stream = new SnapshotStream<>(call, view, skipUnchanged);
        call.setOnCancelHandler(stream.lifecycle::close);
        WorkloadIdentitySource.Subscription subscription;
        try {
            subscription = Objects.requireNonNull(subscribe.apply(stream::send), "subscription");
        } catch (RuntimeException e) {
            stream.lifecycle.fail(GrpcErrors.toStatus(e).getStatus());
            return;
        }
        stream.lifecycle.attach(subscription);
    }

    /** The cache's listener: one message per snapshot, or the end of the stream. */
    private void send(X509Snapshot snapshot) {
        WorkloadIdentitySource.Subscription ended = null;
        synchronized (this) {
            if (lifecycle.isDone()) {
                return;
            }
            T message = null;
            if (last == null && snapshot.isAwaitingFirstSvid()) {
                // entitled, but the SVIDs are still being signed: the first message comes with them
                return;
            }
            if (snapshot.isEmpty()) {
                ended = lifecycle.endLocked(Status.PERMISSION_DENIED.withDescription(NO_IDENTITY));
            } else {
                try {
                    message = snapshot.render(view);
                } catch (RuntimeException e) {
                    ended = lifecycle.endLocked(GrpcErrors.toStatus(e).getStatus());
                }
            }
            if (message != null && !(skipUnchanged && message.equals(last))) {
                last = message;
                call.onNext(message);
            }
        }
        CallSubscription.closeOutsideLock(ended);
    }
}
