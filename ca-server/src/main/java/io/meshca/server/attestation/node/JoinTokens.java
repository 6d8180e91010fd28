package io.meshca.server.attestation.node;

import io.meshca.common.error.InvalidArgumentException;
import io.meshca.common.error.PermissionDeniedException;
import io.meshca.common.selector.JoinTokenSelectors;
import io.meshca.common.spiffe.Selector;
import io.meshca.common.spiffe.SelectorSet;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.common.spiffe.TrustDomain;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Join tokens: 256 random bits (URL-safe base64), single use, with a TTL, stored only as SHA-256. The
 * agent ID is built from a separate random public id, never from the token.
 */
public final class JoinTokens {

    public static final String TYPE = JoinTokenSelectors.TYPE;
    public static final String UNKNOWN = "join token is unknown";
    public static final String REUSED = "join token was already used";
    public static final String EXPIRED = "join token has expired";

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Duration MAX_TTL = Duration.ofDays(30);

    private final TrustDomain trustDomain;
    private final JoinTokenStore store;
    private final Clock clock;

    public JoinTokens(TrustDomain trustDomain, JoinTokenStore store, Clock clock) {
        this.trustDomain = trustDomain;
        this.store = store;
        this.clock = clock;
    }

    public JoinToken generate(Duration ttl) {
        if (ttl.isZero() || ttl.isNegative()) {
            throw new InvalidArgumentException("join token TTL must be positive, got " + ttl.getSeconds() + "s");
        }
        if (ttl.compareTo(MAX_TTL) > 0) {
            throw new InvalidArgumentException("join token TTL must be at most 30 days");
        }
        String token;
        do {
            byte[] secret = new byte[32];
            RANDOM.nextBytes(secret);
            token = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
            // One token in 64 would start with '-', which a command line (-joinToken <token>) takes for
            // an option; the draw costs those tokens under 0.03 of 256 bits.
        } while (token.startsWith("-"));
        // 12 bytes, 24 hex digits: the form JoinTokenSelectors accepts in an entry's selectors.
        byte[] idBytes = new byte[12];
        RANDOM.nextBytes(idBytes);
        String id = HexFormat.of().formatHex(idBytes);
        Instant now = clock.instant();
        Instant expiresAt = now.plus(ttl);
        store.create(hash(token), id, expiresAt, now);
        return new JoinToken(token, id, expiresAt);
    }

    /** Redeems the token once; returns its public id or throws PermissionDenied saying why not. */
    public String redeem(String token) {
        if (token == null || token.isEmpty()) {
            throw new InvalidArgumentException("join token is empty");
        }
        JoinTokenStore.Redemption r = store.redeem(hash(token), clock.instant());
        return switch (r.outcome()) {
            case REDEEMED -> r.tokenId();
            case UNKNOWN -> throw new PermissionDeniedException(UNKNOWN);
            case ALREADY_USED -> throw new PermissionDeniedException(REUSED);
            case EXPIRED -> throw new PermissionDeniedException(EXPIRED);
        };
    }

    public SpiffeId agentId(String tokenId) {
        return trustDomain.withPath("/meshca/agent/" + TYPE + "/" + tokenId);
    }

    public static Selector selector(String tokenId) {
        return new Selector(TYPE, tokenId);
    }

    public static SelectorSet selectors(String tokenId) {
        return SelectorSet.of(selector(tokenId));
    }

    public static String hash(String token) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
