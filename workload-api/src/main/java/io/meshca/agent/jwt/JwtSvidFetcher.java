package io.meshca.agent.jwt;

import java.time.Instant;
import java.util.List;

/**
 * What the JWT-SVID cache needs from the server: a new JWT-SVID for an entry this agent serves. The
 * agent only asks; signing is the server's business.
 */
public interface JwtSvidFetcher {

    /** A signed token and its {@code exp}. */
    record Token(String token, Instant expiresAt) {
        @Override
        public String toString() {
            return "Token[expiresAt=" + expiresAt + "]";
        }
    }

    /**
     * Asks the server for a JWT-SVID of the entry's identity.
     *
     * @throws io.meshca.common.error.MeshcaException with the server's reason (PERMISSION_DENIED for an
     *     entry this agent does not serve, INVALID_ARGUMENT for a bad audience, UNAVAILABLE ...)
     */
    Token fetchJwtSvid(String entryId, List<String> audience);
}
