package io.meshca.agent.jwt;

import io.meshca.common.rotation.RotationPolicy;
import io.meshca.common.spiffe.SpiffeId;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * JWT-SVIDs by (entry, audiences): a workload asking again for the same audience gets the same token
 * until it is due for renewal ({@link RotationPolicy}: half of its lifetime, counted from when the
 * agent received it), then a new one from the server. The audience set is sorted and
 * deduplicated, so ["b","a"] and ["a","b"] share a token. Bounded: the least recently used token is
 * dropped past {@code maxSize} (a workload inventing audiences cannot grow the agent's memory).
 */
public final class JwtSvidCache {

    public static final int DEFAULT_MAX_SIZE = 10_000;

    private record Key(String entryId, List<String> audience) {}

    private record Cached(JwtSvid svid, Instant renewAt) {}

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
     * @throws io.meshca.common.error.MeshcaException if the server refuses or cannot be reached
     */
    public JwtSvid fetch(String entryId, SpiffeId spiffeId, String hint, List<String> audience) {
        Key key = new Key(entryId, audience.stream().distinct().sorted().toList());
        synchronized (tokens) {
            Cached cached = tokens.get(key);
            if (cached != null && !RotationPolicy.isDue(clock.instant(), cached.renewAt())) {
                return cached.svid();
            }
        }
        // Fetched outside the lock: one slow call to the server must not hold every workload up. Two
        // concurrent misses of one key both fetch; the later simply replaces the earlier.
        Instant receivedAt = clock.instant();
        JwtSvidFetcher.Token fetched = server.fetchJwtSvid(entryId, key.audience());
        JwtSvid svid = new JwtSvid(spiffeId, fetched.token(), fetched.expiresAt(), hint);
        // No jitter: a token is fetched when a workload asks for it, one at a time, so there is no batch
        // of renewals to spread out.
        Instant renewAt = RotationPolicy.renewAt(receivedAt, fetched.expiresAt(), 0);
        synchronized (tokens) {
            tokens.put(key, new Cached(svid, renewAt));
        }
        return svid;
    }

    int size() {
        synchronized (tokens) {
            return tokens.size();
        }
    }
}
