package io.meshca.agent.jwt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshca.common.error.UnavailableException;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.common.testing.FakeClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class JwtSvidCacheTest {

    private static final SpiffeId ORDERS = SpiffeId.parse("spiffe://example.org/orders");

    private final FakeClock clock = new FakeClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final List<String> minted = new ArrayList<>();
    /** Tokens live 5 minutes; each is named after its call so tests can tell them apart. */
    private final JwtSvidFetcher server = (entryId, audience) -> {
        String token = "token-" + minted.size() + "-" + entryId + "-" + String.join(",", audience);
        minted.add(token);
        return new JwtSvidFetcher.Token(token, clock.instant().plus(Duration.ofMinutes(5)));
    };

    @Test
    void sameEntryAndAudience_reusesTheTokenUntilHalfLife_thenMintsANewOne() {
        JwtSvidCache cache = new JwtSvidCache(server, clock, 100);

        JwtSvid first = cache.fetch("e1", ORDERS, "", List.of("payments"));
        clock.advance(Duration.ofSeconds(149));
        JwtSvid again = cache.fetch("e1", ORDERS, "", List.of("payments"));
        clock.advance(Duration.ofSeconds(1));
        JwtSvid renewed = cache.fetch("e1", ORDERS, "", List.of("payments"));

        assertThat(again.token()).isEqualTo(first.token());
        assertThat(renewed.token()).isNotEqualTo(first.token());
        assertThat(minted).hasSize(2);
        assertThat(renewed.expiresAt()).isEqualTo(clock.instant().plus(Duration.ofMinutes(5)));
    }

    @Test
    void audienceOrderAndDuplicates_doNotMatter_butTheSetDoes() {
        JwtSvidCache cache = new JwtSvidCache(server, clock, 100);

        JwtSvid ab = cache.fetch("e1", ORDERS, "", List.of("b", "a"));
        JwtSvid ba = cache.fetch("e1", ORDERS, "", List.of("a", "b", "a"));
        JwtSvid a = cache.fetch("e1", ORDERS, "", List.of("a"));

        assertThat(ba.token()).isEqualTo(ab.token());
        assertThat(a.token()).isNotEqualTo(ab.token());
        assertThat(minted).containsExactly("token-0-e1-a,b", "token-1-e1-a");
    }

    @Test
    void tokensAreKeptPerEntry() {
        JwtSvidCache cache = new JwtSvidCache(server, clock, 100);

        JwtSvid one = cache.fetch("e1", ORDERS, "", List.of("a"));
        JwtSvid two = cache.fetch("e2", ORDERS, "", List.of("a"));

        assertThat(one.token()).isNotEqualTo(two.token());
        assertThat(minted).hasSize(2);
    }

    @Test
    void sizeIsBounded_leastRecentlyUsedGoesFirst() {
        JwtSvidCache cache = new JwtSvidCache(server, clock, 2);

        cache.fetch("e1", ORDERS, "", List.of("a"));
        cache.fetch("e1", ORDERS, "", List.of("b"));
        cache.fetch("e1", ORDERS, "", List.of("a")); // a is now the most recent
        cache.fetch("e1", ORDERS, "", List.of("c")); // evicts b

        assertThat(cache.size()).isEqualTo(2);
        cache.fetch("e1", ORDERS, "", List.of("a"));
        assertThat(minted).hasSize(3);
        cache.fetch("e1", ORDERS, "", List.of("b"));
        assertThat(minted).hasSize(4);
    }

    @Test
    void toString_neverShowsTheToken() {
        JwtSvid svid = new JwtSvidCache(server, clock, 10).fetch("e1", ORDERS, "", List.of("a"));

        assertThat(svid.toString()).doesNotContain(svid.token()).contains(ORDERS.toString());
    }

    @Test
    void tokensSignedByATaintedKey_areDropped_andMintedAgainOnTheNextFetch() {
        List<String> kids = new ArrayList<>(List.of("old-kid", "old-kid", "other-kid"));
        JwtSvidFetcher signing = (entryId, audience) -> {
            minted.add(entryId);
            return new JwtSvidFetcher.Token(
                    jws(kids.isEmpty() ? "new-kid" : kids.remove(0), minted.size()),
                    clock.instant().plus(Duration.ofMinutes(5)));
        };
        JwtSvidCache cache = new JwtSvidCache(signing, clock, 100);
        JwtSvid tainted1 = cache.fetch("e1", ORDERS, "", List.of("a"));
        cache.fetch("e2", ORDERS, "", List.of("a"));
        JwtSvid untainted = cache.fetch("e3", ORDERS, "", List.of("a"));

        assertThat(cache.dropSignedBy(Set.of("old-kid"))).isEqualTo(2);

        assertThat(cache.size()).isEqualTo(1);
        assertThat(cache.fetch("e3", ORDERS, "", List.of("a"))).isEqualTo(untainted);
        JwtSvid reminted = cache.fetch("e1", ORDERS, "", List.of("a"));
        assertThat(reminted.token()).isNotEqualTo(tainted1.token());
        assertThat(minted).hasSize(4);
        assertThat(cache.dropSignedBy(Set.of())).isZero();
    }

    @Test
    void tokenThatArrivesExpired_isRefused_notHandedOut() {
        JwtSvidFetcher skewed = (entryId, audience) ->
                new JwtSvidFetcher.Token("token", clock.instant().minusSeconds(1));
        JwtSvidCache cache = new JwtSvidCache(skewed, clock, 100);

        assertThatThrownBy(() -> cache.fetch("e1", ORDERS, "", List.of("a")))
                .isInstanceOf(UnavailableException.class)
                .hasMessageContaining("expired")
                .hasMessageContaining("clocks");
        assertThat(cache.size()).isZero();
    }

    /** A compact JWS with this kid; the signature is not checked by the cache. */
    private static String jws(String kid, int n) {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String header = "{\"alg\":\"ES256\",\"kid\":\"" + kid + "\"}";
        String claims = "{\"n\":" + n + "}";
        return b64.encodeToString(header.getBytes(StandardCharsets.UTF_8)) + "."
                + b64.encodeToString(claims.getBytes(StandardCharsets.UTF_8)) + "."
                + b64.encodeToString(new byte[] {1, 2, 3});
    }
}
