package io.meshca.agent.testing;

import io.meshca.agent.cache.IssuedSvid;
import io.meshca.agent.cache.TrustBundle;
import io.meshca.agent.cache.WorkloadIdentitySource;
import io.meshca.agent.cache.X509Snapshot;
import io.meshca.common.spiffe.Selector;
import io.meshca.common.spiffe.SelectorSet;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.common.spiffe.TrustDomain;
import io.meshca.common.testing.TestPki;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.function.Consumer;

/**
 * An in-memory {@link WorkloadIdentitySource}: one entitlement (a selector set) and one current state.
 * Callers whose selectors include the entitlement get the state; others get it without SVIDs.
 * {@link #publish} notifies every subscriber synchronously, as a cache change would.
 */
public final class FakeWorkloadIdentitySource implements WorkloadIdentitySource {

    public static final TrustDomain DOMAIN = TrustDomain.parse("example.org");
    public static final TrustDomain FEDERATED = TrustDomain.parse("partner.org");

    private final SelectorSet entitlement;
    private final Set<Subscriber> subscribers = new CopyOnWriteArraySet<>();
    private volatile X509Snapshot current;

    public FakeWorkloadIdentitySource(SelectorSet entitlement, X509Snapshot initial) {
        this.entitlement = entitlement;
        this.current = initial;
    }

    public FakeWorkloadIdentitySource(Selector entitlement, X509Snapshot initial) {
        this(SelectorSet.of(entitlement), initial);
    }

    /** A state with one SVID for {@code path} in example.org, its root, and a partner.org bundle. */
    public static Pki pki() {
        return new Pki(TestPki.root(DOMAIN), TestPki.root(FEDERATED));
    }

    /** Test authorities that issue SVIDs and make snapshots. */
    public record Pki(TestPki.Authority root, TestPki.Authority partnerRoot) {

        public IssuedSvid svid(String path, String hint) {
            TestPki.Authority intermediate = root.intermediate();
            TestPki.Leaf leaf = intermediate.leaf(SpiffeId.parse("spiffe://example.org" + path));
            return new IssuedSvid(
                    "entry-" + path,
                    SpiffeId.parse("spiffe://example.org" + path),
                    leaf.chain(),
                    leaf.keyPair().getPrivate(),
                    hint);
        }

        public TrustBundle bundle(long sequence) {
            return new TrustBundle(DOMAIN, List.of(root.certificate()), sequence);
        }

        public TrustBundle partnerBundle() {
            return new TrustBundle(FEDERATED, List.of(partnerRoot.certificate()), 1);
        }

        public X509Snapshot snapshot(IssuedSvid... svids) {
            return new X509Snapshot(List.of(svids), bundle(1), Map.of(FEDERATED, partnerBundle()));
        }
    }

    public void publish(X509Snapshot snapshot) {
        current = snapshot;
        subscribers.forEach(Subscriber::push);
    }

    public int subscriberCount() {
        return subscribers.size();
    }

    @Override
    public Subscription subscribe(SelectorSet selectors, Consumer<X509Snapshot> listener) {
        Subscriber subscriber = new Subscriber(selectors, listener);
        subscribers.add(subscriber);
        subscriber.push();
        return () -> subscribers.remove(subscriber);
    }

    @Override
    public X509Snapshot snapshot(SelectorSet selectors) {
        X509Snapshot state = current;
        return entitlement.isSubsetOf(selectors) ? state : new X509Snapshot(List.of(), state.bundle(), Map.of());
    }

    private final class Subscriber {
        private final SelectorSet selectors;
        private final Consumer<X509Snapshot> listener;

        Subscriber(SelectorSet selectors, Consumer<X509Snapshot> listener) {
            this.selectors = selectors;
            this.listener = listener;
        }

        synchronized void push() {
            if (subscribers.contains(this)) {
                listener.accept(snapshot(selectors));
            }
        }
    }
}
