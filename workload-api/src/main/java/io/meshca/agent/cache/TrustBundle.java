package io.meshca.agent.cache;

import io.meshca.common.bundle.JwtAuthority;
import io.meshca.common.spiffe.TrustDomain;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The authorities of one trust domain, with the bundle's sequence number: X.509 CA certificates and
 * the JWT signing keys (by {@code kid}) that verify its JWT-SVIDs, and which of them an operator
 * tainted.
 *
 * @param taintedX509AuthorityIds subject key identifiers (lowercase hex) of X.509 authorities, in or
 *     above this bundle, that must sign nothing the agent keeps: every SVID whose chain carries one is
 *     re-issued at once. A tainted authority stays trusted until it is removed from the bundle.
 * @param taintedJwtKeyIds {@code kid}s of JWT keys whose tokens the agent must not hand out again
 */
public record TrustBundle(
        TrustDomain trustDomain,
        List<X509Certificate> x509Authorities,
        long sequence,
        List<JwtAuthority> jwtAuthorities,
        Set<String> taintedX509AuthorityIds,
        Set<String> taintedJwtKeyIds) {

    public TrustBundle {
        Objects.requireNonNull(trustDomain, "trustDomain");
        x509Authorities = List.copyOf(x509Authorities);
        jwtAuthorities = List.copyOf(jwtAuthorities);
        taintedX509AuthorityIds = Set.copyOf(taintedX509AuthorityIds);
        taintedJwtKeyIds = Set.copyOf(taintedJwtKeyIds);
    }

    /** A bundle in which nothing is tainted. */
    public TrustBundle(
            TrustDomain trustDomain, List<X509Certificate> x509Authorities, long sequence, List<JwtAuthority> jwt) {
        this(trustDomain, x509Authorities, sequence, jwt, Set.of(), Set.of());
    }

    /** A bundle without JWT keys (as the agent stores it on disk; the watch brings the JWT keys). */
    public TrustBundle(TrustDomain trustDomain, List<X509Certificate> x509Authorities, long sequence) {
        this(trustDomain, x509Authorities, sequence, List.of());
    }

    /**
     * True if the bundle has no authority of either kind. The server sends a federated bundle this way
     * when it was deleted; a bundle with only JWT keys is not empty.
     */
    public boolean isEmpty() {
        return x509Authorities.isEmpty() && jwtAuthorities.isEmpty();
    }

    /** The JWT key with this {@code kid}, if the bundle has it. */
    public Optional<JwtAuthority> jwtAuthority(String keyId) {
        return jwtAuthorities.stream().filter(a -> a.keyId().equals(keyId)).findFirst();
    }
}
