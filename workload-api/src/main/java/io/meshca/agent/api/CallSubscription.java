package io.meshca.agent.api;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.meshca.agent.cache.WorkloadIdentitySource;
import java.util.Objects;

/**
 * The cache subscription behind one streaming call, and the one way of ending both. The cache's
 * listener, the client's messages and its cancellation arrive on different threads, so the owner's
 * monitor ({@code lock}) guards this state, and the owner sends under that same lock, so nothing can
 * follow the end of the call. The subscription itself is always closed outside the lock: the source may
 * hold its own lock while it calls the listener, and closing takes that lock, so closing under ours
 * could deadlock. Used by the Workload API streams and by SDS.
 */
public final class CallSubscription {

    private final Object lock;
    private final StreamObserver<?> call;

    // Guarded by lock.
    private WorkloadIdentitySource.Subscription subscription;
    private boolean done;

    public CallSubscription(Object lock, StreamObserver<?> call) {
        this.lock = Objects.requireNonNull(lock, "lock");
        this.call = Objects.requireNonNull(call, "call");
    }

    /** Whether the call has ended; only under the lock. */
    public boolean isDone() {
        return done;
    }

    /** Keeps {@code opened} until the call ends; closes it at once if the call already has. */
    public void attach(WorkloadIdentitySource.Subscription opened) {
        synchronized (lock) {
            if (!done) {
                subscription = opened;
                return;
            }
        }
        opened.close();
    }

    /**
     * Only under the lock: ends the call with {@code status}; returns the subscription to pass to
     * {@link #closeOutsideLock} once the lock is released.
     */
    public WorkloadIdentitySource.Subscription endLocked(Status status) {
        call.onError(status.asRuntimeException());
        return detachLocked();
    }

    /**
     * Only under the lock: marks the call ended by other means (completed, or the client went away);
     * returns the subscription to pass to {@link #closeOutsideLock}.
     */
    public WorkloadIdentitySource.Subscription detachLocked() {
        done = true;
        WorkloadIdentitySource.Subscription detached = subscription;
        subscription = null;
        return detached;
    }

    /** Ends the call with {@code status}, unless it has ended already. */
    public void fail(Status status) {
        WorkloadIdentitySource.Subscription ended;
        synchronized (lock) {
            if (done) {
                return;
            }
            ended = endLocked(status);
        }
        closeOutsideLock(ended);
    }

    /** The client cancelled or went away (or the server is shutting down); idempotent. */
    public void close() {
        WorkloadIdentitySource.Subscription ended;
        synchronized (lock) {
            ended = detachLocked();
        }
        closeOutsideLock(ended);
    }

    /** Closes what {@link #endLocked} or {@link #detachLocked} returned; call it without the lock. */
    public static void closeOutsideLock(WorkloadIdentitySource.Subscription subscription) {
        if (subscription != null) {
            subscription.close();
        }
    }
}
