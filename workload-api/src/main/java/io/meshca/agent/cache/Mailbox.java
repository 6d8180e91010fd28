package io.meshca.agent.cache;

import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers snapshots to one subscriber, one call at a time, outside the cache's lock. The cache offers
 * snapshots while holding its lock (so they are offered in state order) and drains after releasing
 * it; whichever thread finds the mailbox idle delivers, others only leave their snapshot behind. Only
 * the newest pending snapshot is kept: each one carries the full state, so skipping a stale one loses
 * nothing.
 *
 * <p>Calling listeners outside the lock matters: a listener may hold its own lock while another of its
 * threads closes the subscription (which takes the cache's lock), and that must not deadlock.
 */
final class Mailbox {

    private static final Logger log = LoggerFactory.getLogger(Mailbox.class);

    private final Consumer<X509Snapshot> listener;
    private X509Snapshot pending;
    private boolean draining;
    private boolean closed;

    Mailbox(Consumer<X509Snapshot> listener) {
        this.listener = listener;
    }

    synchronized void offer(X509Snapshot snapshot) {
        if (!closed) {
            pending = snapshot;
        }
    }

    /** Delivers what is pending, unless another thread is already delivering (it will pick it up). */
    void drain() {
        synchronized (this) {
            if (draining) {
                return;
            }
            draining = true;
        }
        while (true) {
            X509Snapshot next;
            synchronized (this) {
                next = pending;
                pending = null;
                if (next == null || closed) {
                    draining = false;
                    return;
                }
            }
            try {
                listener.accept(next);
            } catch (RuntimeException e) {
                // one faulty listener must not stop the others or the cache
                log.warn("a Workload API subscriber failed to take an update", e);
            }
        }
    }

    /** No call starts after this returns (one already running may finish). */
    synchronized void close() {
        closed = true;
        pending = null;
    }
}
