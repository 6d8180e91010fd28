package io.meshca.agent.jwt;

import io.meshca.common.spiffe.SpiffeId;
import java.util.Map;
import java.util.Objects;

/** A JWT-SVID that passed validation: its subject and every claim of its payload (JSON values). */
public record ValidatedJwtSvid(SpiffeId spiffeId, Map<String, Object> claims) {
    public ValidatedJwtSvid {
        Objects.requireNonNull(spiffeId, "spiffeId");
        claims = Map.copyOf(claims);
    }
}
