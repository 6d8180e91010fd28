package io.meshca.server.ca.upstream;

import io.meshca.common.spiffe.TrustDomain;
import io.meshca.server.ca.keys.SigningKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;

/**
 * Certifies the key of the trust domain's X.509 CA (SPIRE's UpstreamAuthority). The CA manager asks for
 * a certificate each time it creates a CA key; it never builds a CA certificate itself.
 */
public interface UpstreamAuthority {

    /**
     * Certifies {@code key} as the X.509 CA of {@code trustDomain}: a CA certificate (CA=true, keyUsage
     * keyCertSign, URI SAN the trust domain's ID) for {@code key}'s public key, valid from now for at most
     * {@code ttl}.
     *
     * @param key the CA's key; an authority may use it to prove possession (or, for {@code none}, to sign)
     * @return the certificate and the chain above it
     * @throws io.meshca.common.error.UnavailableException if the upstream cannot be reached now
     * @throws IllegalArgumentException if {@code ttl} is not positive
     */
    MintedX509Ca mintX509Ca(TrustDomain trustDomain, SigningKey key, Duration ttl);

    /**
     * The upstream roots that must be in the trust bundle now. Called often (every rotation check): an
     * implementation re-reads its source only when it changed. Empty for {@code none}, whose CA is itself
     * the root.
     */
    default List<X509Certificate> x509Roots() {
        return List.of();
    }
}
