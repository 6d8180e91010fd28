package io.meshca.agent.cache;

import io.meshca.common.spiffe.TrustDomain;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;

/** The X.509 authorities of one trust domain, with the bundle's sequence number. */
public record TrustBundle(TrustDomain trustDomain, List<X509Certificate> x509Authorities, long sequence) {

    public TrustBundle {
        Objects.requireNonNull(trustDomain, "trustDomain");
        x509Authorities = List.copyOf(x509Authorities);
    }
}
