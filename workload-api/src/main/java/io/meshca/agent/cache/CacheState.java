package io.meshca.agent.cache;

import io.meshca.common.spiffe.SelectorSet;
import io.meshca.common.spiffe.TrustDomain;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * One immutable version of the cache: authorized entries, their SVIDs, bundles and the revision.
 * {@link SvidCache} publishes a new instance on every change, so readers never lock.
 *
 * @param expiredEntryIds entries whose last SVID expired and was dropped, with no new one yet: they are
 *     served as having no identity, not as waiting for their first
 */
record CacheState(
        long revision,
        Map<String, AuthorizedEntry> entries,
        Map<String, IssuedSvid> svids,
        Set<String> expiredEntryIds,
        TrustBundle bundle,
        Map<TrustDomain, TrustBundle> federatedBundles) {

    CacheState {
        entries = Map.copyOf(entries);
        svids = Map.copyOf(svids);
        expiredEntryIds = Set.copyOf(expiredEntryIds);
        Objects.requireNonNull(bundle, "bundle");
        federatedBundles = Map.copyOf(federatedBundles);
    }

    static CacheState initial(TrustBundle bundle) {
        return new CacheState(0, Map.of(), Map.of(), Set.of(), bundle, Map.of());
    }

    /** This state with other SVIDs (and entries whose SVID expired). */
    CacheState withSvids(Map<String, IssuedSvid> newSvids, Set<String> newExpired) {
        return new CacheState(revision, entries, newSvids, newExpired, bundle, federatedBundles);
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
     * What a workload matching these entries receives at {@code now}: their issued SVIDs that have not
     * expired, default first, with the entries' current hints, and the federated bundles its entries
     * name. An entry whose SVID expired is left out; it counts neither as served nor as pending, so a
     * workload left with no valid SVID gets the answer of one that has no identity.
     */
    X509Snapshot snapshotFor(Iterable<String> entryIds, Instant now) {
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
            if (svid == null || svid.isExpiredAt(now)) {
                if (svid == null && !expiredEntryIds.contains(entry.id())) {
                    pending++;
                }
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
