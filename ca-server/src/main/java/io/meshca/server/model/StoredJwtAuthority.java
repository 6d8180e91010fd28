package io.meshca.server.model;

import java.security.PublicKey;
import java.time.Instant;
import java.util.Objects;

/**
 * A JWT signing key of the trust domain as the journal keeps it: its KeyManager id, the {@code kid}
 * published in the bundle, the public key, when it stops being used (its tokens never outlive it), its
 * slot, whether an operator tainted it, and when it was published.
 */
public record StoredJwtAuthority(
        String keyId,
        String kid,
        PublicKey publicKey,
        Instant notAfter,
        AuthorityStatus status,
        boolean tainted,
        Instant publishedAt)
        implements SlottedAuthority {
    public StoredJwtAuthority {
        Objects.requireNonNull(keyId, "keyId");
        Objects.requireNonNull(kid, "kid");
        Objects.requireNonNull(publicKey, "publicKey");
        Objects.requireNonNull(notAfter, "notAfter");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(publishedAt, "publishedAt");
        if (kid.isEmpty()) {
            throw new IllegalArgumentException("kid cannot be empty");
        }
    }

    /** Operators name a JWT key by its kid. */
    @Override
    public String authorityId() {
        return kid;
    }

    public StoredJwtAuthority withStatus(AuthorityStatus newStatus) {
        return new StoredJwtAuthority(keyId, kid, publicKey, notAfter, newStatus, tainted, publishedAt);
    }

    public StoredJwtAuthority asTainted() {
        return new StoredJwtAuthority(keyId, kid, publicKey, notAfter, status, true, publishedAt);
    }
}
