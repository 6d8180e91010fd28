package io.meshca.agent.jwt;

import com.nimbusds.jose.JWSObject;
import io.meshca.common.error.UnavailableException;
import io.meshca.common.rotation.RotationPolicy;
import io.meshca.common.spiffe.SpiffeId;
import java.text.ParseException;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * JWT-SVIDs by (entry, audiences): a workload asking again for the same audience gets the same token
 * until it is due for renewal ({@link RotationPolicy}: half of its lifetime, counted from when the
 * agent received it), then a new one from the server. The audience set is sorted and
 * deduplicated, so ["b","a"] and ["a","b"] share a token. Bounded: the least recently used token is
 * dropped past {@code maxSize} (a workload inventing audiences cannot grow the agent's memory).
 *
 * <p>No token is handed out after its {@code exp}, and tokens signed by a key the bundle names as
 * tainted are dropped ({@link #dropSignedBy}), so the next fetch mints a new one.
 */
public final class JwtSvidCache {

    public static final int DEFAULT_MAX_SIZE = 10_000;

    static final String ARRIVED_EXPIRED = "the server sent a JWT-SVID that expired at %s, by this agent's clock:"
            + " check that the clocks of the agent and the server agree";

    private record Key(String entryId, List<String> audience) {}

    /** @param keyId the {@code kid} of the token's header, or null if it has none */
    private record Cached(JwtSvid svid, Instant renewAt, String keyId) {}

    private final JwtSvidFetcher server;
    private final Clock clock;
    private final Map<Key, Cached> tokens;

    public JwtSvidCache(JwtSvidFetcher server, Clock clock, int maxSize) {
        this.server = Objects.requireNonNull(server, "server");
        this.clock = Objects.requireNonNull(clock, "clock");
        if (maxSize < 1) {
            throw new IllegalArgumentException("maxSize must be positive");
        }
        this.tokens = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Key, Cached> eldest) {
                return size() > maxSize;
            }
        };
    }

    /**
     * The cached token of this entry for this audience, or a new one if there is none or it is due for
     * renewal.
     *
     * @throws io.meshca.common.error.MeshcaException if the server refuses or cannot be reached, or
     *     sends a token that has already expired
     */
    public JwtSvid fetch(String entryId, SpiffeId spiffeId, String hint, List<String> audience) {
        Key key = new Key(entryId, audience.stream().distinct().sorted().toList());
        synchronized (tokens) {
            Cached cached = tokens.get(key);
            Instant now = clock.instant();
            if (cached != null
                    && !RotationPolicy.isDue(now, cached.renewAt())
                    && now.isBefore(cached.svid().expiresAt())) {
                return cached.svid();
            }
        }
        // Fetched outside the lock: one slow call to the server must not hold every workload up. Two
        // concurrent misses of one key both fetch; the later simply replaces the earlier.
        Instant receivedAt = clock.instant();
        JwtSvidFetcher.Token fetched = server.fetchJwtSvid(entryId, key.audience());
        if (!clock.instant().isBefore(fetched.expiresAt())) {
            throw new UnavailableException(String.format(ARRIVED_EXPIRED, fetched.expiresAt()));
        }
        JwtSvid svid = new JwtSvid(spiffeId, fetched.token(), fetched.expiresAt(), hint);
        // No jitter: a token is fetched when a workload asks for it, one at a time, so there is no batch
        // of renewals to spread out.
        Instant renewAt = RotationPolicy.renewAt(receivedAt, fetched.expiresAt(), 0);
        Cached cached = new Cached(svid, renewAt, keyId(fetched.token()));
        synchronized (tokens) {
            tokens.put(key, cached);
        }
        return svid;
    }

    /**
     * Drops every cached token signed by one of these keys: the bundle names them as tainted, and the
     * next fetch of each mints a new token with the server's current key.
     *
     * @return how many were dropped
     */
    public int dropSignedBy(Set<String> keyIds) {
        if (keyIds.isEmpty()) {
            return 0;
        }
        synchronized (tokens) {
            int before = tokens.size();
            tokens.values().removeIf(cached -> cached.keyId() != null && keyIds.contains(cached.keyId()));
            return before - tokens.size();
        }
    }

    private static String keyId(String token) {
        try {
            return JWSObject.parse(token).getHeader().getKeyID();
        } catch (ParseException e) {
            // the server's token is checked by whoever receives it; here it only cannot be dropped by kid
            return null;
        }
    }

    int size() {
        synchronized (tokens) {
            return tokens.size();
        }
    }
}
