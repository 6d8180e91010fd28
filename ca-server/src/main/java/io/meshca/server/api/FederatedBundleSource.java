package io.meshca.server.api;

import io.meshca.common.bundle.SpiffeBundle;
import io.meshca.common.spiffe.TrustDomain;
import io.meshca.proto.server.v1.Bundle;
import io.meshca.proto.server.v1.WatchAuthorizedResponse;
import io.meshca.server.api.convert.BundleProtos;
import java.util.Optional;
import java.util.Set;

/** What the agent watch needs of the federated bundles: the current one of a trust domain, if any. */
@FunctionalInterface
public interface FederatedBundleSource {

    /** The stored bundle of {@code trustDomain}; empty if there is none. */
    Optional<SpiffeBundle> get(TrustDomain trustDomain);

    /**
     * Adds each domain's bundle to the message; a domain without a bundle gets an empty one, which tells
     * the agent to drop what it has (the watch protocol's removal).
     */
    default void addTo(WatchAuthorizedResponse.Builder msg, Set<TrustDomain> domains) {
        for (TrustDomain td : domains) {
            msg.putFederatedBundles(
                    td.name(),
                    get(td).map(BundleProtos::toProto)
                            .orElse(Bundle.newBuilder()
                                    .setTrustDomain(td.name())
                                    .build()));
        }
    }
}
