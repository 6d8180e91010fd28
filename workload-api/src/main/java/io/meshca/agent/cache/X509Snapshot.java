package io.meshca.agent.cache;

import io.meshca.common.spiffe.TrustDomain;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything one workload is entitled to at one moment: its X509-SVIDs (the first is the default),
 * its own trust domain's bundle, and the bundles of the trust domains its entries federate with.
 */
public record X509Snapshot(List<IssuedSvid> svids, TrustBundle bundle, Map<TrustDomain, TrustBundle> federatedBundles) {

    public X509Snapshot {
        svids = List.copyOf(svids);
        Objects.requireNonNull(bundle, "bundle");
        federatedBundles = Map.copyOf(federatedBundles);
    }

    /** True if the workload matched no entry (or none of its SVIDs is issued yet). */
    public boolean isEmpty() {
        return svids.isEmpty();
    }
}
