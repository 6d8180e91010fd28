package io.meshca.server.ca.jwt;

import io.meshca.server.ca.keys.SigningKey;
import io.meshca.server.model.StoredJwtAuthority;
import java.util.Objects;

/** A JWT signing key in a slot (current or next): what the bundle publishes and the key that signs. */
public record JwtSlot(StoredJwtAuthority authority, SigningKey key) {
    public JwtSlot {
        Objects.requireNonNull(authority, "authority");
        Objects.requireNonNull(key, "key");
    }

    public String kid() {
        return authority.kid();
    }
}
