package io.meshca.server.model;

import java.security.PublicKey;
import java.time.Instant;
import java.util.Objects;

/**
 * A JWT signing key of the trust domain: its KeyManager id, the {@code kid} published in the bundle,
 * the public key and when it stops being used (its tokens never outlive it).
 */
public record StoredJwtAuthority(String keyId, String kid, PublicKey publicKey, Instant notAfter) {
    public StoredJwtAuthority {
        Objects.requireNonNull(keyId, "keyId");
        Objects.requireNonNull(kid, "kid");
        Objects.requireNonNull(publicKey, "publicKey");
        Objects.requireNonNull(notAfter, "notAfter");
        if (kid.isEmpty()) {
            throw new IllegalArgumentException("kid cannot be empty");
        }
    }
}
