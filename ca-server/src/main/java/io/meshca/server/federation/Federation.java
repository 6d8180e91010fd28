package io.meshca.server.federation;

import io.meshca.common.bundle.SpiffeBundle;
import io.meshca.common.error.AlreadyExistsException;
import io.meshca.common.error.InvalidArgumentException;
import io.meshca.common.error.NotFoundException;
import io.meshca.common.spiffe.TrustDomain;
import io.meshca.server.model.FederationRelationship;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Federation relationships: create, change and remove them, and keep the refresher in step. A
 * relationship may come with a bundle to start from (the out-of-band exchange https_spiffe needs to
 * authenticate the endpoint the first time).
 */
public final class Federation {

    private final FederationStore store;
    private final FederatedBundles bundles;
    private final BundleRefresher refresher;

    public Federation(FederationStore store, FederatedBundles bundles, BundleRefresher refresher) {
        this.store = Objects.requireNonNull(store, "store");
        this.bundles = Objects.requireNonNull(bundles, "bundles");
        this.refresher = Objects.requireNonNull(refresher, "refresher");
    }

    /** Relationships from the config file: created or replaced at start-up; a bootstrap bundle only fills a gap. */
    public void applyConfigured(FederationRelationship rel, Optional<SpiffeBundle> bootstrap) {
        bundles.requireForeign(rel.trustDomain());
        if (bootstrap.isPresent() && bundles.get(rel.trustDomain()).isEmpty()) {
            bundles.set(checkedBootstrap(rel, bootstrap.get()));
        }
        store.put(rel);
        refresher.schedule(rel.trustDomain());
    }

    public FederationRelationship create(FederationRelationship rel, Optional<SpiffeBundle> bootstrap) {
        bundles.requireForeign(rel.trustDomain());
        if (store.get(rel.trustDomain()).isPresent()) {
            throw new AlreadyExistsException("a federation relationship with " + rel.trustDomain() + " exists already");
        }
        return save(rel, bootstrap);
    }

    public FederationRelationship update(FederationRelationship rel, Optional<SpiffeBundle> bootstrap) {
        get(rel.trustDomain());
        return save(rel, bootstrap);
    }

    private FederationRelationship save(FederationRelationship rel, Optional<SpiffeBundle> bootstrap) {
        SpiffeBundle checked = bootstrap.map(b -> checkedBootstrap(rel, b)).orElse(null);
        if (checked == null
                && rel.profile() == FederationRelationship.Profile.HTTPS_SPIFFE
                && bundles.get(rel.trustDomain()).isEmpty()) {
            throw new InvalidArgumentException("https_spiffe needs a bundle of " + rel.trustDomain()
                    + " to authenticate its endpoint: give -trustDomainBundlePath or set it with bundle set first");
        }
        if (checked != null) {
            bundles.set(checked);
        }
        store.put(rel);
        refresher.schedule(rel.trustDomain());
        return rel;
    }

    public List<FederationRelationship> list() {
        return store.list();
    }

    public FederationRelationship get(TrustDomain trustDomain) {
        return store.get(trustDomain)
                .orElseThrow(() -> new NotFoundException("no federation relationship with " + trustDomain));
    }

    /** Ends the relationship; the last fetched bundle stays (delete it with bundle delete). */
    public void delete(TrustDomain trustDomain) {
        if (!store.delete(trustDomain)) {
            throw new NotFoundException("no federation relationship with " + trustDomain);
        }
        refresher.cancel(trustDomain);
    }

    /** Fetches the bundle now. */
    public SpiffeBundle refresh(TrustDomain trustDomain) {
        return refresher.refreshNow(get(trustDomain));
    }

    private static SpiffeBundle checkedBootstrap(FederationRelationship rel, SpiffeBundle bundle) {
        if (!bundle.trustDomain().equals(rel.trustDomain())) {
            throw new InvalidArgumentException(
                    "the bundle given is of trust domain " + bundle.trustDomain() + ", not " + rel.trustDomain());
        }
        return bundle;
    }
}
