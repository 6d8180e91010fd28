package io.meshca.agent.cache;

import io.meshca.common.spiffe.TrustDomain;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Everything one workload is entitled to at one moment: its X509-SVIDs (the first is the default),
 * its own trust domain's bundle, and the bundles of the trust domains its entries federate with.
 *
 * <p>Immutable, and shared: every subscriber with the same selectors is handed the same instance. So
 * what the API renders from it (a {@link View}) is rendered once per snapshot and shared too — the
 * workloads that connect at once cost one rendering, not one each, and their open streams hold one copy
 * of the message between them instead of one each.
 */
public final class X509Snapshot {

    /**
     * A way of rendering a snapshot (its wire message, say), remembered per snapshot. Make each one a
     * constant: a snapshot keeps what every distinct view rendered for as long as it lives.
     */
    public static final class View<T> {
        private final Function<X509Snapshot, T> render;

        public View(Function<X509Snapshot, T> render) {
            this.render = Objects.requireNonNull(render, "render");
        }
    }

    private final List<IssuedSvid> svids;
    private final TrustBundle bundle;
    private final Map<TrustDomain, TrustBundle> federatedBundles;
    private final int pendingSvids;
    private final Map<View<?>, Object> rendered = new ConcurrentHashMap<>(4);

    /**
     * @param pendingSvids how many of the workload's matching entries have no SVID yet (just created, or
     *     the agent is still starting): the Workload API waits for them rather than answering "no identity"
     */
    public X509Snapshot(
            List<IssuedSvid> svids,
            TrustBundle bundle,
            Map<TrustDomain, TrustBundle> federatedBundles,
            int pendingSvids) {
        this.svids = List.copyOf(svids);
        this.bundle = Objects.requireNonNull(bundle, "bundle");
        this.federatedBundles = Map.copyOf(federatedBundles);
        if (pendingSvids < 0) {
            throw new IllegalArgumentException("pendingSvids < 0");
        }
        this.pendingSvids = pendingSvids;
    }

    /** A snapshot in which every matching entry has its SVID. */
    public X509Snapshot(List<IssuedSvid> svids, TrustBundle bundle, Map<TrustDomain, TrustBundle> federatedBundles) {
        this(svids, bundle, federatedBundles, 0);
    }

    public List<IssuedSvid> svids() {
        return svids;
    }

    public TrustBundle bundle() {
        return bundle;
    }

    public Map<TrustDomain, TrustBundle> federatedBundles() {
        return federatedBundles;
    }

    public int pendingSvids() {
        return pendingSvids;
    }

    /** True if the workload has no SVID (it matches no entry, or none of its SVIDs is issued yet). */
    public boolean isEmpty() {
        return svids.isEmpty();
    }

    /** True if the workload has no SVID now but matches entries whose SVIDs are being signed. */
    public boolean isAwaitingFirstSvid() {
        return svids.isEmpty() && pendingSvids > 0;
    }

    /**
     * This snapshot rendered by {@code view}: rendered on the first call, the same object after. An
     * exception from the rendering is thrown to every caller and nothing is remembered.
     */
    @SuppressWarnings("unchecked")
    public <T> T render(View<T> view) {
        Object cached = rendered.get(view);
        if (cached == null) {
            // computeIfAbsent would hold a map bin lock while rendering; two racing renders are harmless
            cached = Objects.requireNonNull(view.render.apply(this), "rendered view");
            Object raced = rendered.putIfAbsent(view, cached);
            if (raced != null) {
                cached = raced;
            }
        }
        return (T) cached;
    }

    /** Equal content (what was rendered from it does not count). */
    @Override
    public boolean equals(Object o) {
        return o instanceof X509Snapshot other
                && pendingSvids == other.pendingSvids
                && svids.equals(other.svids)
                && bundle.equals(other.bundle)
                && federatedBundles.equals(other.federatedBundles);
    }

    @Override
    public int hashCode() {
        return Objects.hash(svids, bundle, federatedBundles, pendingSvids);
    }

    @Override
    public String toString() {
        return "X509Snapshot[svids=" + svids + ", bundle=" + bundle + ", federatedBundles=" + federatedBundles
                + ", pendingSvids=" + pendingSvids + "]";
    }
}
