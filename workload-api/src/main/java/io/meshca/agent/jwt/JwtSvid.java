package io.meshca.agent.jwt;

import io.meshca.common.spiffe.SpiffeId;
import java.time.Instant;
import java.util.Objects;

/**
 * A JWT-SVID the agent holds for a workload.
 *
 * @param fetchedAt when the agent received it (its own clock: the half-life is measured from here)
 * @param hint the entry's hint, or ""
 */
public record JwtSvid(SpiffeId spiffeId, String token, Instant fetchedAt, Instant expiresAt, String hint) {

    public JwtSvid {
        Objects.requireNonNull(spiffeId, "spiffeId");
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(fetchedAt, "fetchedAt");
        Objects.requireNonNull(expiresAt, "expiresAt");
        hint = hint == null ? "" : hint;
    }

    /** Past half of its lifetime (as SPIRE's agent, which renews JWT-SVIDs at half-life). */
    public boolean isPastHalfLife(Instant now) {
        Instant half =
                fetchedAt.plus(java.time.Duration.between(fetchedAt, expiresAt).dividedBy(2));
        return !now.isBefore(half);
    }

    /** Never print the token. */
    @Override
    public String toString() {
        return "JwtSvid[" + spiffeId + ", expiresAt=" + expiresAt + "]";
    }
}
