package io.meshca.server.attestation.node;

import java.time.Instant;

/** Join tokens, kept only as the SHA-256 of the secret. */
public interface JoinTokenStore {

    /** Why a redemption failed, or that it succeeded. */
    enum Outcome {
        REDEEMED,
        UNKNOWN,
        ALREADY_USED,
        EXPIRED
    }

    record Redemption(Outcome outcome, String tokenId) {}

    void create(String tokenHash, String tokenId, Instant expiresAt, Instant createdAt);

    /**
     * Atomically marks the token used if it exists, is unused and has not expired at {@code now}.
     * Exactly one of concurrent redemptions of the same token can succeed.
     */
    Redemption redeem(String tokenHash, Instant now);
}
