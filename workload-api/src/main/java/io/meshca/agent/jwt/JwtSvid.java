package io.meshca.agent.jwt;

import io.meshca.common.spiffe.SpiffeId;
import java.time.Instant;
import java.util.Objects;

/**
 * A JWT-SVID the agent holds for a workload.
 *
 * @param hint the entry's hint, or ""
 */
public record JwtSvid(SpiffeId spiffeId, String token, Instant expiresAt, String hint) {

    public JwtSvid {
        Objects.requireNonNull(spiffeId, "spiffeId");
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(expiresAt, "expiresAt");
        hint = hint == null ? "" : hint;
    }

    /** Never print the token. */
    @Override
    public String toString() {
        return "JwtSvid[" + spiffeId + ", expiresAt=" + expiresAt + "]";
    }
}
