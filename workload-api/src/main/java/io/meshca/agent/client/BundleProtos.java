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
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

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
                jwt,
                // hex from another implementation may come in upper case; the agent compares lowercase
                bundle.getTaintedX509AuthorityIdsList().stream()
                        .map(id -> id.toLowerCase(Locale.ROOT))
                        .collect(Collectors.toSet()),
                Set.copyOf(bundle.getTaintedJwtKeyIdsList()));
    }
}
