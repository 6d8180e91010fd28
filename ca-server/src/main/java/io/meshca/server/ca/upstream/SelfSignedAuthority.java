package io.meshca.server.ca.upstream;

import io.meshca.common.spiffe.TrustDomain;
import io.meshca.server.ca.keys.SigningKey;
import io.meshca.server.ca.signing.RootCaFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The {@code none} upstream authority: the CA is a self-signed root (what meshca does without another PKI
 * above it), made by {@link RootCaFactory} and signed with the CA's own key.
 */
public final class SelfSignedAuthority implements UpstreamAuthority {

    private final Clock clock;

    public SelfSignedAuthority(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public MintedX509Ca mintX509Ca(TrustDomain trustDomain, SigningKey key, Duration ttl) {
        if (ttl.isZero() || ttl.isNegative()) {
            throw new IllegalArgumentException("CA TTL must be positive, got " + ttl);
        }
        return new MintedX509Ca(RootCaFactory.selfSigned(trustDomain, key, ttl, clock), List.of());
    }

    /** None: each CA this authority mints is a root itself, and goes into the bundle as such. */
    @Override
    public List<X509Certificate> x509Roots() {
        return List.of();
    }
}
