package io.meshca.common.bundle;

import java.security.PublicKey;
import java.util.Objects;

/**
 * A key that verifies JWT-SVIDs of a trust domain: published in the bundle as a {@code jwt-svid} JWK
 * under its {@code kid}, which every JWT-SVID header names.
 */
public record JwtAuthority(String keyId, PublicKey publicKey) {

    public JwtAuthority {
        Objects.requireNonNull(keyId, "keyId");
        Objects.requireNonNull(publicKey, "publicKey");
        if (keyId.isBlank()) {
            throw new IllegalArgumentException("keyId is blank");
        }
    }
}
