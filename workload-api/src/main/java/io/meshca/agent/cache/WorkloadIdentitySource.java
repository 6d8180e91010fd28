package io.meshca.agent.cache;

import io.meshca.common.spiffe.SelectorSet;
import java.util.function.Consumer;

/**
 * What the Workload API (and later SDS) needs from the agent's cache: the identities a workload with
 * the given selectors is entitled to, now and whenever they change. Implemented by the cache; consumed
 * by the API layer, which never sees entries, the server or rotation.
 */
public interface WorkloadIdentitySource {

    /**
     * Subscribes a workload. {@code listener} is called once at once with the current state (possibly
     * with no SVIDs, if the workload matches no entry or none is issued yet), and again with the full
     * new state on every change that concerns this workload: a rotated SVID, an added, changed or
     * deleted entry, a changed bundle. Calls for one subscription never overlap.
     *
     * @param selectors the workload's selectors, from workload attestation
     * @param listener receives full snapshots; it must not block
     * @return a handle whose {@code close()} stops further calls
     */
    Subscription subscribe(SelectorSet selectors, Consumer<X509Snapshot> listener);

    /**
     * The current state for these selectors, without subscribing. Never null.
     */
    X509Snapshot snapshot(SelectorSet selectors);

    /** Ends a subscription; idempotent. */
    interface Subscription extends AutoCloseable {
        @Override
        void close();
    }
}
