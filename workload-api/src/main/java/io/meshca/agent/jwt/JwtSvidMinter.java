package io.meshca.agent.jwt;

import java.time.Instant;
import java.util.List;

/** What the JWT-SVID cache needs from the server: a token for an entry this agent serves. */
public interface JwtSvidMinter {

    /** A signed token and its {@code exp}. */
    record Minted(String token, Instant expiresAt) {
        @Override
        public String toString() {
            return "Minted[expiresAt=" + expiresAt + "]";
        }
    }

    /**
     * Asks the server for a JWT-SVID of the entry's identity.
     *
     * @throws io.meshca.common.error.MeshcaException with the server's reason (PERMISSION_DENIED for an
     *     entry this agent does not serve, INVALID_ARGUMENT for a bad audience, UNAVAILABLE ...)
     */
    Minted mint(String entryId, List<String> audience);
}
