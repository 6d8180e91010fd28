package io.meshca.agent.jwt;

import io.meshca.common.spiffe.SpiffeId;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * JWT-SVIDs by (entry, audiences): a workload asking again for the same audience gets the same token
 * until it is past half its lifetime, then a new one from the server. The audience set is sorted and
 * deduplicated, so ["b","a"] and ["a","b"] share a token. Bounded: the least recently used token is
 * dropped past {@code maxSize} (a workload inventing audiences cannot grow the agent's memory).
 */
public final class JwtSvidCache {

    public static final int DEFAULT_MAX_SIZE = 10_000;

    private record Key(String entryId, List<String> audience) {}

    private final JwtSvidMinter minter;
    private final Clock clock;
    private final Map<Key, JwtSvid> tokens;

    public JwtSvidCache(JwtSvidMinter minter, Clock clock, int maxSize) {
        this.minter = Objects.requireNonNull(minter, "minter");
        this.clock = Objects.requireNonNull(clock, "clock");
        if (maxSize < 1) {
            throw new IllegalArgumentException("maxSize must be positive");
        }
        this.tokens = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Key, JwtSvid> eldest) {
                return size() > maxSize;
            }
        };
    }

    /**
     * The cached token of this entry for this audience, or a new one if there is none or it is past
     * half-life.
     *
     * @throws io.meshca.common.error.MeshcaException if the server refuses or cannot be reached
     */
    public JwtSvid fetch(String entryId, SpiffeId spiffeId, String hint, List<String> audience) {
        Key key = new Key(entryId, audience.stream().distinct().sorted().toList());
        synchronized (tokens) {
            JwtSvid cached = tokens.get(key);
            if (cached != null && !cached.isPastHalfLife(clock.instant())) {
                return cached;
            }
        }
        // Minted outside the lock: one slow call to the server must not hold every workload up. Two
        // concurrent misses of one key both mint; the later simply replaces the earlier.
        var now = clock.instant();
        JwtSvidMinter.Minted minted = minter.mint(entryId, key.audience());
        JwtSvid svid = new JwtSvid(spiffeId, minted.token(), now, minted.expiresAt(), hint);
        synchronized (tokens) {
            tokens.put(key, svid);
        }
        return svid;
    }

    int size() {
        synchronized (tokens) {
            return tokens.size();
        }
    }
}
