package io.meshca.server.api.convert;

import io.meshca.common.error.InvalidArgumentException;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.server.model.FederationRelationship;
import io.meshca.server.model.FederationRelationship.Profile;
import java.net.URI;
import java.nio.file.Path;

/**
 * {@link FederationRelationship} ⇄ the {@code FederationRelationship} message (same simple name: the
 * message is written out in full). The bootstrap bundle a request may carry is {@link BundleProtos}'.
 */
public final class FederationRelationshipProtos {

    private FederationRelationshipProtos() {}

    public static io.meshca.proto.server.v1.FederationRelationship toProto(FederationRelationship r) {
        var b = io.meshca.proto.server.v1.FederationRelationship.newBuilder()
                .setTrustDomain(r.trustDomain().name())
                .setBundleEndpointUrl(r.bundleEndpointUrl().toString())
                .setBundleEndpointProfile(r.profile().configName());
        r.endpointId().ifPresent(id -> b.setEndpointSpiffeId(id.toString()));
        r.caFile().ifPresent(f -> b.setTrustedCaFile(f.toString()));
        return b.build();
    }

    public static FederationRelationship fromProto(io.meshca.proto.server.v1.FederationRelationship p) {
        if (p.getBundleEndpointUrl().isEmpty()) {
            throw new InvalidArgumentException("bundle endpoint URL is required");
        }
        URI url;
        try {
            url = URI.create(p.getBundleEndpointUrl());
        } catch (IllegalArgumentException e) {
            throw new InvalidArgumentException("bundle endpoint URL is invalid: " + p.getBundleEndpointUrl());
        }
        SpiffeId endpointId;
        try {
            endpointId = p.getEndpointSpiffeId().isEmpty() ? null : SpiffeId.parse(p.getEndpointSpiffeId());
        } catch (RuntimeException e) {
            throw new InvalidArgumentException("endpoint SPIFFE ID is invalid: " + e.getMessage());
        }
        return new FederationRelationship(
                TrustDomainProtos.fromProto(p.getTrustDomain()),
                url,
                Profile.parse(p.getBundleEndpointProfile().isEmpty() ? "https_web" : p.getBundleEndpointProfile()),
                endpointId,
                p.getTrustedCaFile().isEmpty() ? null : Path.of(p.getTrustedCaFile()));
    }
}
