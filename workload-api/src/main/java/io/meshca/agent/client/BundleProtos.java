package io.meshca.agent.client;

import io.meshca.agent.cache.TrustBundle;
import io.meshca.common.bundle.JwtAuthority;
import io.meshca.common.pki.Certificates;
import io.meshca.common.pki.Keys;
import io.meshca.common.spiffe.TrustDomain;
import io.meshca.proto.server.v1.Bundle;
import io.meshca.proto.server.v1.JwtKey;
import java.util.ArrayList;
import java.util.List;

/** The server's {@code Bundle} message → a {@link TrustBundle}; throws on malformed input. */
final class BundleProtos {

    private BundleProtos() {}

    static TrustBundle fromProto(Bundle bundle) {
        List<JwtAuthority> jwt = new ArrayList<>(bundle.getJwtAuthoritiesCount());
        for (JwtKey key : bundle.getJwtAuthoritiesList()) {
            jwt.add(new JwtAuthority(
                    key.getKeyId(), Keys.parsePublicKey(key.getPublicKey().toByteArray())));
        }
        return new TrustBundle(
                TrustDomain.parse(bundle.getTrustDomain()),
                bundle.getX509AuthoritiesList().stream()
                        .map(der -> Certificates.parse(der.toByteArray()))
                        .toList(),
                bundle.getSequence(),
                jwt);
    }
}
