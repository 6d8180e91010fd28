package io.meshca.agent.cache;

import io.meshca.common.spiffe.TrustDomain;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything one workload is entitled to at one moment: its X509-SVIDs (the first is the default),
 * its own trust domain's bundle, and the bundles of the trust domains its entries federate with.
 *
 * @param pendingSvids how many of the workload's matching entries have no SVID yet (just created, or
 *     the agent is still starting): the Workload API waits for them rather than answering "no identity"
 */
public record X509Snapshot(List<IssuedSvid> svids, TrustBundle bundle, Map<TrustDomain, TrustBundle> federatedBundles,
                           int pendingSvids) {

    public X509Snapshot {
        svids = List.copyOf(svids);
        Objects.requireNonNull(bundle, "bundle");
        federatedBundles = Map.copyOf(federatedBundles);
        if (pendingSvids < 0) {
            throw new IllegalArgumentException("pendingSvids < 0");
        }
    }

    /** A snapshot in which every matching entry has its SVID. */
    public X509Snapshot(List<IssuedSvid> svids, TrustBundle bundle, Map<TrustDomain, TrustBundle> federatedBundles) {
        this(svids, bundle, federatedBundles, 0);
    }

    /** True if the workload has no SVID (it matches no entry, or none of its SVIDs is issued yet). */
    public boolean isEmpty() {
        return svids.isEmpty();
    }

    /** True if the workload has no SVID now but matches entries whose SVIDs are being signed. */
    public boolean isAwaitingFirstSvid() {
        return svids.isEmpty() && pendingSvids > 0;
    }
}
