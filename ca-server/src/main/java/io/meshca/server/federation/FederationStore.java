package io.meshca.server.federation;

import io.meshca.common.spiffe.TrustDomain;
import io.meshca.server.model.FederationRelationship;
import java.util.List;
import java.util.Optional;

/** Federation relationships, one per foreign trust domain. */
public interface FederationStore {

    List<FederationRelationship> list();

    Optional<FederationRelationship> get(TrustDomain trustDomain);

    /** Creates or replaces the relationship of {@code relationship.trustDomain()}. */
    void put(FederationRelationship relationship);

    /** Returns false if there was none. */
    boolean delete(TrustDomain trustDomain);
}
