package io.meshca.server.ca.jwt;

import io.meshca.common.spiffe.SpiffeId;
import java.time.Instant;
import java.util.Objects;

/** A signed JWT-SVID (compact JWS) and its claims that callers need without parsing it. */
public record MintedJwtSvid(SpiffeId spiffeId, String token, String kid, Instant expiresAt) {
    public MintedJwtSvid {
        Objects.requireNonNull(spiffeId, "spiffeId");
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(kid, "kid");
        Objects.requireNonNull(expiresAt, "expiresAt");
    }

    /** Never print the token itself. */
    @Override
    public String toString() {
        return "MintedJwtSvid[" + spiffeId + ", kid=" + kid + ", expiresAt=" + expiresAt + "]";
    }
}
