package io.meshca.agent.cache;

import io.meshca.common.spiffe.SelectorSet;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.common.spiffe.TrustDomain;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * A registration entry this agent is authorized to serve, as the server's watch delivered it. The
 * server already matched the parent; the agent only matches {@link #selectors()} against workloads.
 *
 * @param x509SvidTtl requested SVID lifetime, {@link Duration#ZERO} for the server's default
 * @param createdAt unix seconds; orders a workload's SVIDs so that the oldest entry is the default
 * @param revision the server's revision of the last change to this entry
 */
public record AuthorizedEntry(
        String id,
        SpiffeId spiffeId,
        SelectorSet selectors,
        Duration x509SvidTtl,
        List<String> dnsNames,
        List<TrustDomain> federatesWith,
        String hint,
        long createdAt,
        long revision) {

    /** The order of a workload's SVIDs: oldest entry first (the default), then by entry ID. */
    public static final Comparator<AuthorizedEntry> DEFAULT_FIRST =
            Comparator.comparingLong(AuthorizedEntry::createdAt).thenComparing(AuthorizedEntry::id);

    public AuthorizedEntry {
        Objects.requireNonNull(id, "id");
        if (id.isEmpty()) {
            throw new IllegalArgumentException("entry id is empty");
        }
        Objects.requireNonNull(spiffeId, "spiffeId");
        Objects.requireNonNull(selectors, "selectors");
        Objects.requireNonNull(x509SvidTtl, "x509SvidTtl");
        dnsNames = List.copyOf(dnsNames);
        federatesWith = List.copyOf(federatesWith);
        Objects.requireNonNull(hint, "hint");
    }
}
