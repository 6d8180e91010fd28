package io.meshca.agent.cache;

import io.meshca.common.bundle.JwtAuthority;
import io.meshca.common.spiffe.TrustDomain;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The authorities of one trust domain, with the bundle's sequence number: X.509 CA certificates and
 * the JWT signing keys (by {@code kid}) that verify its JWT-SVIDs.
 */
public record TrustBundle(
        TrustDomain trustDomain,
        List<X509Certificate> x509Authorities,
        long sequence,
        List<JwtAuthority> jwtAuthorities) {

    public TrustBundle {
        Objects.requireNonNull(trustDomain, "trustDomain");
        x509Authorities = List.copyOf(x509Authorities);
        jwtAuthorities = List.copyOf(jwtAuthorities);
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
