package io.meshca.common.bundle;

import io.meshca.common.spiffe.TrustDomain;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The trust bundle of one trust domain as the SPIFFE Trust Domain and Bundle standard defines it:
 * X.509 authorities (CA certificates), JWT authorities, a sequence number that increases on every
 * change, and a refresh hint ({@link Duration#ZERO} when the document carries none).
 */
public record SpiffeBundle(
        TrustDomain trustDomain,
        List<X509Certificate> x509Authorities,
        List<JwtAuthority> jwtAuthorities,
        long sequence,
        Duration refreshHint) {

    public SpiffeBundle {
        Objects.requireNonNull(trustDomain, "trustDomain");
        x509Authorities = List.copyOf(x509Authorities);
        jwtAuthorities = List.copyOf(jwtAuthorities);
        Objects.requireNonNull(refreshHint, "refreshHint");
        if (sequence < 0) {
            throw new IllegalArgumentException("sequence is negative: " + sequence);
        }
        if (refreshHint.isNegative()) {
            throw new IllegalArgumentException("refreshHint is negative: " + refreshHint);
        }
        Set<String> kids = new HashSet<>();
        for (JwtAuthority key : jwtAuthorities) {
            if (!kids.add(key.keyId())) {
                throw new IllegalArgumentException("duplicate JWT key id \"" + key.keyId() + "\"");
            }
        }
    }

    /** The same bundle with another sequence number (the server stamps its own on every change). */
    public SpiffeBundle withSequence(long newSequence) {
        return new SpiffeBundle(trustDomain, x509Authorities, jwtAuthorities, newSequence, refreshHint);
    }
}
