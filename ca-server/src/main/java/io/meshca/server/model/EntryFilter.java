package io.meshca.server.model;

import io.meshca.common.spiffe.SelectorSet;
import io.meshca.common.spiffe.SpiffeId;

/** Optional list criteria; null fields do not filter. Selectors: the entry has all of them. */
public record EntryFilter(SpiffeId spiffeId, SpiffeId parentId, SelectorSet selectors) {

    public static final EntryFilter ALL = new EntryFilter(null, null, null);

    public boolean matches(RegistrationEntry e) {
        return (spiffeId == null || spiffeId.equals(e.spiffeId()))
                && (parentId == null || parentId.equals(e.parentId()))
                && (selectors == null || selectors.isEmpty() || selectors.isSubsetOf(e.selectors()));
    }
}
