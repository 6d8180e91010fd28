package io.meshca.agent.client;

import com.google.protobuf.ByteString;
import io.meshca.agent.cache.AuthorizedEntry;
import io.meshca.agent.cache.TrustBundle;
import io.meshca.common.error.InvalidArgumentException;
import io.meshca.common.pki.Certificates;
import io.meshca.common.spiffe.Selector;
import io.meshca.common.spiffe.SelectorSet;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.common.spiffe.TrustDomain;
import io.meshca.proto.server.v1.Bundle;
import io.meshca.proto.server.v1.Entry;
import io.meshca.proto.server.v1.X509Svid;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Parses what the server sends into the agent's validated domain values; throws on malformed input. */
final class ProtoConversions {

    private ProtoConversions() {}

    static AuthorizedEntry entry(Entry entry) {
        List<Selector> selectors = new ArrayList<>(entry.getSelectorsCount());
        for (io.meshca.proto.server.v1.Selector s : entry.getSelectorsList()) {
            selectors.add(new Selector(s.getType(), s.getValue()));
        }
        List<TrustDomain> federatesWith = new ArrayList<>(entry.getFederatesWithCount());
        for (String domain : entry.getFederatesWithList()) {
            federatesWith.add(TrustDomain.parse(domain));
        }
        return new AuthorizedEntry(
                entry.getId(),
                SpiffeId.parse(entry.getSpiffeId()),
                SelectorSet.of(selectors),
                Duration.ofSeconds(entry.getX509SvidTtl()),
                entry.getDnsNamesList(),
                federatesWith,
                entry.getHint(),
                entry.getCreatedAt(),
                entry.getRevision());
    }

    static TrustBundle bundle(Bundle bundle) {
        List<io.meshca.common.bundle.JwtAuthority> jwt = new ArrayList<>(bundle.getJwtAuthoritiesCount());
        for (io.meshca.proto.server.v1.JwtKey key : bundle.getJwtAuthoritiesList()) {
            jwt.add(new io.meshca.common.bundle.JwtAuthority(
                    key.getKeyId(),
                    io.meshca.common.pki.Keys.parsePublicKey(key.getPublicKey().toByteArray())));
        }
        return new TrustBundle(
                TrustDomain.parse(bundle.getTrustDomain()),
                certificates(bundle.getX509AuthoritiesList()),
                bundle.getSequence(),
                jwt);
    }

    /** The chain of an SVID, leaf first; it must carry the SPIFFE ID the server says it does. */
    static List<X509Certificate> chain(X509Svid svid) {
        List<X509Certificate> chain = certificates(svid.getCertChainList());
        if (chain.isEmpty()) {
            throw new InvalidArgumentException("the server sent an SVID without certificates");
        }
        SpiffeId expected = SpiffeId.parse(svid.getSpiffeId());
        SpiffeId actual = Certificates.spiffeId(chain.get(0))
                .orElseThrow(() -> new InvalidArgumentException("the server sent an SVID without a SPIFFE ID"));
        if (!actual.equals(expected)) {
            throw new InvalidArgumentException("the server sent an SVID for " + actual + " labelled " + expected);
        }
        return chain;
    }

    private static List<X509Certificate> certificates(List<ByteString> ders) {
        List<X509Certificate> out = new ArrayList<>(ders.size());
        for (ByteString der : ders) {
            out.add(Certificates.parse(der.toByteArray()));
        }
        return out;
    }
}
