package io.meshca.agent.testing;

import io.meshca.agent.cache.AuthorizedEntry;
import io.meshca.agent.cache.EntryUpdate;
import io.meshca.agent.cache.IssuedSvid;
import io.meshca.agent.cache.TrustBundle;
import io.meshca.common.spiffe.Selector;
import io.meshca.common.spiffe.SelectorSet;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.common.spiffe.TrustDomain;
import io.meshca.common.testing.TestPki;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Entries, bundles and SVIDs for cache tests; certificates come from the shared TestPki. */
public final class CacheFixtures {

    public static final TrustDomain DOMAIN = TrustDomain.parse("example.org");
    public static final TestPki.Authority CA = TestPki.root(DOMAIN);
    public static final TrustBundle BUNDLE = new TrustBundle(DOMAIN, List.of(CA.certificate()), 1);

    private CacheFixtures() {}

    public static SelectorSet selectors(String... selectors) {
        return SelectorSet.of(Arrays.stream(selectors).map(Selector::parse).toList());
    }

    public static AuthorizedEntry entry(String id, String path, long createdAt, long revision, String... selectors) {
        return authorizedEntry(id, path, createdAt, revision, List.of(), selectors);
    }

    /** An entry at revision 1 whose SVIDs come with {@code federatesWith}'s bundle. */
    public static AuthorizedEntry federatingEntry(
            String id, String path, TrustDomain federatesWith, String... selectors) {
        return authorizedEntry(id, path, 1, 1, List.of(federatesWith), selectors);
    }

    private static AuthorizedEntry authorizedEntry(
            String id,
            String path,
            long createdAt,
            long revision,
            List<TrustDomain> federatesWith,
            String... selectors) {
        return new AuthorizedEntry(
                id,
                DOMAIN.withPath(path),
                selectors(selectors),
                Duration.ZERO,
                List.of(),
                federatesWith,
                "",
                createdAt,
                revision);
    }

    public static IssuedSvid svid(AuthorizedEntry entry) {
        TestPki.Leaf leaf = CA.leaf(entry.spiffeId());
        return new IssuedSvid(
                entry.id(), entry.spiffeId(), leaf.chain(), leaf.keyPair().getPrivate(), entry.hint());
    }

    public static IssuedSvid svid(String entryId, SpiffeId id) {
        TestPki.Leaf leaf = CA.leaf(id);
        return new IssuedSvid(entryId, id, leaf.chain(), leaf.keyPair().getPrivate(), "");
    }

    public static EntryUpdate snapshot(long revision, AuthorizedEntry... entries) {
        return new EntryUpdate(revision, true, List.of(entries), List.of(), BUNDLE, Map.of());
    }

    public static EntryUpdate delta(long revision, List<AuthorizedEntry> upserted, List<String> deleted) {
        return new EntryUpdate(revision, false, upserted, deleted, null, Map.of());
    }
}
