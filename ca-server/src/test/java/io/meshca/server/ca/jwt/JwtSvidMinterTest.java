package io.meshca.server.ca.jwt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jwt.SignedJWT;
import io.meshca.common.error.InvalidArgumentException;
import io.meshca.common.spiffe.JwtAudiences;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.common.testing.FakeClock;
import io.meshca.server.ca.keys.MemoryKeyManager;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class JwtSvidMinterTest {

    private static final SpiffeId WORKLOAD = SpiffeId.parse("spiffe://example.org/orders");

    private final FakeClock clock = new FakeClock(Instant.parse("2026-01-01T00:00:00.700Z"));
    private final MemoryKeyManager keys = new MemoryKeyManager();
    private final InMemoryBundleStore store = new InMemoryBundleStore();

    private JwtKeySlots slots(JwtKeyType type) {
        JwtKeySlots slots = new JwtKeySlots(keys, store, type, Duration.ofHours(24), clock);
        slots.initialize();
        return slots;
    }

    @Test
    void es256Token_hasTheStandardHeaderAndClaims_andVerifiesWithThePublishedKey() throws Exception {
        JwtKeySlots slots = slots(JwtKeyType.ES256);
        JwtSvidMinter minter = new JwtSvidMinter(slots::current, clock);

        MintedJwtSvid svid = minter.mint(WORKLOAD, List.of("payments"), Duration.ofMinutes(5));

        SignedJWT jwt = SignedJWT.parse(svid.token());
        assertThat(jwt.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.ES256);
        assertThat(jwt.getHeader().getKeyID()).isEqualTo(slots.current().kid()).isEqualTo(svid.kid());
        assertThat(jwt.getHeader().getType()).isEqualTo(JOSEObjectType.JWT);
        assertThat(jwt.verify(new ECDSAVerifier(
                        (ECPublicKey) store.jwtAuthorities().get(0).publicKey())))
                .isTrue();
        var claims = jwt.getJWTClaimsSet();
        assertThat(claims.getSubject()).isEqualTo("spiffe://example.org/orders");
        assertThat(claims.getAudience()).containsExactly("payments");
        assertThat(claims.getIssueTime().toInstant()).isEqualTo(Instant.parse("2026-01-01T00:00:00Z"));
        assertThat(claims.getExpirationTime().toInstant())
                .isEqualTo(Instant.parse("2026-01-01T00:05:00Z"))
                .isEqualTo(svid.expiresAt());
        // aud is an array even with one value: the payload as sent, not nimbus' reading of it.
        var payload = new ObjectMapper()
                .readTree(Base64.getUrlDecoder().decode(svid.token().split("\\.")[1]));
        assertThat(payload.get("aud").isArray()).isTrue();
        assertThat(svid.toString()).doesNotContain(svid.token());
    }

    @Test
    void rs256Token_verifiesWithTheRsaKey() throws Exception {
        JwtKeySlots slots = slots(JwtKeyType.RS256);
        JwtSvidMinter minter = new JwtSvidMinter(slots::current, clock);

        SignedJWT jwt = SignedJWT.parse(
                minter.mint(WORKLOAD, List.of("a", "b"), Duration.ofMinutes(1)).token());

        assertThat(jwt.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.RS256);
        assertThat(jwt.verify(
                        new RSASSAVerifier((RSAPublicKey) slots.current().key().publicKey())))
                .isTrue();
        assertThat(jwt.getJWTClaimsSet().getAudience()).containsExactly("a", "b");
    }

    @Test
    void tokenNeverOutlivesItsSigningKey() throws Exception {
        JwtKeySlots slots = slots(JwtKeyType.ES256);
        JwtSvidMinter minter = new JwtSvidMinter(slots::current, clock);
        clock.advance(Duration.ofHours(23).plusMinutes(58));

        MintedJwtSvid svid = minter.mint(WORKLOAD, List.of("payments"), Duration.ofMinutes(5));

        assertThat(svid.expiresAt())
                .isEqualTo(Instant.ofEpochSecond(
                        slots.current().authority().notAfter().getEpochSecond()));
    }

    static Stream<Arguments> badRequests() {
        return Stream.of(
                Arguments.of(List.of(), Duration.ofMinutes(5), JwtSvidMinter.NO_AUDIENCE),
                Arguments.of(List.of(" "), Duration.ofMinutes(5), JwtAudiences.EMPTY),
                Arguments.of(List.of("a", ""), Duration.ofMinutes(5), JwtAudiences.EMPTY),
                Arguments.of(
                        Collections.nCopies(33, "a"),
                        Duration.ofMinutes(5),
                        "at most 32 audiences per JWT-SVID, got 33"),
                Arguments.of(
                        List.of("a", "x".repeat(257)),
                        Duration.ofMinutes(5),
                        "an audience is at most 256 characters, got one of 257"),
                Arguments.of(List.of("a"), Duration.ZERO, JwtSvidMinter.BAD_TTL),
                Arguments.of(List.of("a"), Duration.ofMillis(999), JwtSvidMinter.BAD_TTL),
                Arguments.of(List.of("a"), Duration.ofHours(24).plusSeconds(1), JwtSvidMinter.BAD_TTL));
    }

    @ParameterizedTest
    @MethodSource("badRequests")
    void badRequest_isRefusedNamingTheProblem(List<String> audience, Duration ttl, String message) {
        JwtSvidMinter minter = new JwtSvidMinter(slots(JwtKeyType.ES256)::current, clock);

        assertThatThrownBy(() -> minter.mint(WORKLOAD, audience, ttl))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessage(message);
    }
}
