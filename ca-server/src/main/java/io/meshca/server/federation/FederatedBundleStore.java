package io.meshca.server.federation;

import io.meshca.common.bundle.SpiffeBundle;
import io.meshca.common.spiffe.TrustDomain;
import java.util.List;
import java.util.Optional;

/** Bundles of other trust domains, one per trust domain; every change takes a revision. */
public interface FederatedBundleStore {

    /** Every stored bundle, by trust domain name. */
    List<SpiffeBundle> list();

    /** How many bundles are stored, counted by the database. */
    long count();

    Optional<SpiffeBundle> get(TrustDomain trustDomain);

    /** Creates or replaces the bundle of {@code bundle.trustDomain()}; records a FEDERATED_BUNDLE change. */
    void put(SpiffeBundle bundle);

    /** Deletes the bundle; returns false if there was none (then no change is recorded). */
    boolean delete(TrustDomain trustDomain);
}
