package io.meshca.server.attestation.node;

import java.time.Instant;
import java.util.Objects;

/** A freshly generated join token: the secret (shown once, never stored), its public id and expiry. */
public record JoinToken(String token, String id, Instant expiresAt) {
    public JoinToken {
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(expiresAt, "expiresAt");
    }

    @Override
    public String toString() {
        // Records print their fields; a token must never reach a log line by accident.
        return "JoinToken[id=" + id + ", expiresAt=" + expiresAt + "]";
    }
}
