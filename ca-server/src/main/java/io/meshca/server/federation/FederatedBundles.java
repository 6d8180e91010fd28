package io.meshca.server.federation;

import io.meshca.common.bundle.SpiffeBundle;
import io.meshca.common.error.InvalidArgumentException;
import io.meshca.common.error.NotFoundException;
import io.meshca.common.spiffe.TrustDomain;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.IntStream;

/**
 * The bundles of other trust domains, whether an operator set them or the refresher fetched them.
 * Bundles are validated before they get here (by {@link io.meshca.common.bundle.SpiffeBundleCodec});
 * this guards the one rule that is about us: the own trust domain's bundle is never replaced from
 * outside (that would let a document mint trust in our own identities).
 */
public final class FederatedBundles {

    private final TrustDomain ownDomain;
    private final FederatedBundleStore store;

    public FederatedBundles(TrustDomain ownDomain, FederatedBundleStore store) {
        this.ownDomain = Objects.requireNonNull(ownDomain, "ownDomain");
        this.store = Objects.requireNonNull(store, "store");
    }

    public List<SpiffeBundle> list() {
        return store.list();
    }

    /** How many bundles of other trust domains are stored. */
    public long count() {
        return store.count();
    }

    public Optional<SpiffeBundle> get(TrustDomain trustDomain) {
        return store.get(trustDomain);
    }

    /** Stores the bundle unless it is the own trust domain's; a bundle equal to the stored one is not written again. */
    public SpiffeBundle set(SpiffeBundle bundle) {
        requireForeign(bundle.trustDomain());
        Optional<SpiffeBundle> current = store.get(bundle.trustDomain());
        if (current.isEmpty() || !sameContent(current.get(), bundle)) {
            store.put(bundle);
        }
        return bundle;
    }

    public void delete(TrustDomain trustDomain) {
        if (!store.delete(trustDomain)) {
            throw new NotFoundException("no federated bundle for trust domain " + trustDomain);
        }
    }

    public void requireForeign(TrustDomain trustDomain) {
        if (ownDomain.equals(trustDomain)) {
            throw new InvalidArgumentException("trust domain " + trustDomain
                    + " is this server's own: its bundle comes from its CA, not from a federated bundle");
        }
    }

    /** Keys compared by encoding: certificates and public keys do not all define equals by content. */
    private static boolean sameContent(SpiffeBundle a, SpiffeBundle b) {
        return a.sequence() == b.sequence()
                && a.refreshHint().equals(b.refreshHint())
                && a.x509Authorities().equals(b.x509Authorities())
                && a.jwtAuthorities().size() == b.jwtAuthorities().size()
                && IntStream.range(0, a.jwtAuthorities().size())
                        .allMatch(i -> a.jwtAuthorities()
                                        .get(i)
                                        .keyId()
                                        .equals(b.jwtAuthorities().get(i).keyId())
                                && Arrays.equals(
                                        a.jwtAuthorities().get(i).publicKey().getEncoded(),
                                        b.jwtAuthorities().get(i).publicKey().getEncoded()));
    }
}
