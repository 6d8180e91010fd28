package io.meshca.agent.cache;

import io.meshca.common.spiffe.SelectorSet;
import io.meshca.common.spiffe.TrustDomain;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One immutable version of the cache: authorized entries, their SVIDs, bundles and the revision.
 * {@link SvidCache} publishes a new instance on every change, so readers never lock.
 */
record CacheState(
        long revision,
        Map<String, AuthorizedEntry> entries,
        Map<String, IssuedSvid> svids,
        TrustBundle bundle,
        Map<TrustDomain, TrustBundle> federatedBundles) {

    CacheState {
        entries = Map.copyOf(entries);
        svids = Map.copyOf(svids);
        Objects.requireNonNull(bundle, "bundle");
        federatedBundles = Map.copyOf(federatedBundles);
    }

    static CacheState initial(TrustBundle bundle) {
        return new CacheState(0, Map.of(), Map.of(), bundle, Map.of());
    }

    /** IDs of the entries whose selectors are a subset of the workload's. */
    List<String> matchingEntryIds(SelectorSet workload) {
        List<String> ids = new ArrayList<>();
        for (AuthorizedEntry entry : entries.values()) {
            if (entry.selectors().isSubsetOf(workload)) {
                ids.add(entry.id());
            }
        }
        return ids;
    }

    /**
     * What a workload matching these entries receives: their issued SVIDs, default first, with the
     * entries' current hints, and the federated bundles its entries name.
     */
    X509Snapshot snapshotFor(Iterable<String> entryIds) {
        List<AuthorizedEntry> matched = new ArrayList<>();
        for (String id : entryIds) {
            AuthorizedEntry entry = entries.get(id);
            if (entry != null) {
                matched.add(entry);
            }
        }
        matched.sort(AuthorizedEntry.DEFAULT_FIRST);
        List<IssuedSvid> out = new ArrayList<>(matched.size());
        Map<TrustDomain, TrustBundle> federated = new LinkedHashMap<>();
        int pending = 0;
        for (AuthorizedEntry entry : matched) {
            IssuedSvid svid = svids.get(entry.id());
            if (svid == null) {
                pending++;
                continue;
            }
            out.add(
                    svid.hint().equals(entry.hint())
                            ? svid
                            : new IssuedSvid(
                                    svid.entryId(), svid.spiffeId(), svid.chain(), svid.privateKey(), entry.hint()));
            for (TrustDomain domain : entry.federatesWith()) {
                TrustBundle bundleOfDomain = federatedBundles.get(domain);
                if (bundleOfDomain != null) {
                    federated.put(domain, bundleOfDomain);
                }
            }
        }
        return new X509Snapshot(out, bundle, federated, pending);
    }
}
