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
     * {@code ttl} (less if the upstream CA expires sooner).
     *
     * @param key the CA's key; an authority may use it to prove possession (or, for {@code none}, to sign)
     * @return the certificate and the chain above it, up to (not including) the root
     * @throws io.meshca.common.error.UnavailableException if the upstream cannot be reached now
     * @throws io.meshca.common.error.FailedPreconditionException if the upstream CA cannot sign now (it
     *     has expired)
     * @throws IllegalArgumentException if {@code ttl} is not positive
     */
    MintedX509Ca mintX509Ca(TrustDomain trustDomain, SigningKey key, Duration ttl);

    /**
     * The upstream roots that must be in the trust domain's bundle right now, for the CAs this authority
     * mints to validate: empty when each CA is its own root ({@code none}). The list follows the
     * upstream's configuration as it changes (a root added for a rotation appears here before any CA is
     * minted under it); a root that disappears from it is not thereby revoked — taking a root out of the
     * bundle stays an operator's decision. Cheap enough to call on every bundle refresh.
     *
     * <p>The default suits authorities whose CAs are self-signed roots.
     *
     * @return the roots, each a self-signed CA certificate or another trust anchor the upstream names
     */
    default List<X509Certificate> x509Roots() {
        return List.of();
    }
}
