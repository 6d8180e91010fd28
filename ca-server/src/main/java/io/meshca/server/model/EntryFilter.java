package io.meshca.server.model;

import io.meshca.common.spiffe.SelectorSet;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.common.spiffe.TrustDomain;
import java.util.Set;

/**
 * Optional list criteria; null (or empty) fields do not filter. Selectors: the entry has all of them.
 * Federates with: the entry federates with every one of these trust domains. Hint: exactly this one.
 */
public record EntryFilter(
        SpiffeId spiffeId, SpiffeId parentId, SelectorSet selectors, Set<TrustDomain> federatesWith, String hint) {

    public static final EntryFilter ALL = new EntryFilter(null, null, null);

    public EntryFilter {
        federatesWith = federatesWith == null ? Set.of() : Set.copyOf(federatesWith);
    }

    public EntryFilter(SpiffeId spiffeId, SpiffeId parentId, SelectorSet selectors) {
        this(spiffeId, parentId, selectors, Set.of(), null);
    }

    public boolean matches(RegistrationEntry e) {
        return (spiffeId == null || spiffeId.equals(e.spiffeId()))
                && (parentId == null || parentId.equals(e.parentId()))
                && (selectors == null || selectors.isEmpty() || selectors.isSubsetOf(e.selectors()))
                && (hint == null || hint.equals(e.hint()))
                && (federatesWith.isEmpty()
                        || e.federatesWith().stream()
                                .map(TrustDomain::parse)
                                .toList()
                                .containsAll(federatesWith));
    }

    /** True when only columns the database compares (SPIFFE ID, parent, hint) filter. */
    public boolean sqlOnly() {
        return (selectors == null || selectors.isEmpty()) && federatesWith.isEmpty();
    }
}
