package io.meshca.agent.cache;

import io.meshca.common.spiffe.TrustDomain;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One complete change of the authorized state, as assembled from the watch's pages: either a full
 * snapshot (replaces every entry) or a change set (upserts and deletions). Bundles are set only when
 * they changed (always, for the own bundle, in a snapshot).
 *
 * @param revision the revision the agent is at once this update is applied
 * @param bundle the trust domain's new bundle, or null if unchanged
 * @param federatedBundles the federated bundles that changed, by trust domain; a bundle with no
 *     authorities removes that trust domain
 */
public record EntryUpdate(
        long revision,
        boolean fullSnapshot,
        List<AuthorizedEntry> upserted,
        List<String> deletedEntryIds,
        TrustBundle bundle,
        Map<TrustDomain, TrustBundle> federatedBundles) {

    public EntryUpdate {
        upserted = List.copyOf(upserted);
        deletedEntryIds = List.copyOf(deletedEntryIds);
        federatedBundles = Map.copyOf(federatedBundles);
        if (fullSnapshot && !deletedEntryIds.isEmpty()) {
            throw new IllegalArgumentException("a full snapshot deletes nothing explicitly");
        }
    }

    public Optional<TrustBundle> bundleIfChanged() {
        return Optional.ofNullable(bundle);
    }
}
