package io.meshca.agent.jwt;

import static io.meshca.agent.jwt.ForgedTokens.EC;
import static io.meshca.agent.jwt.ForgedTokens.EC_KID;
import static io.meshca.agent.jwt.ForgedTokens.OTHER_EC;
import static io.meshca.agent.jwt.ForgedTokens.RSA;
import static io.meshca.agent.jwt.ForgedTokens.RSA_KID;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.util.Base64URL;
import io.meshca.agent.cache.TrustBundle;
import io.meshca.common.error.InvalidArgumentException;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.common.spiffe.TrustDomain;
import io.meshca.common.testing.FakeClock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class JwtSvidValidatorTest {

    private static final long NOW = 1_767_225_600L; // 2026-01-01T00:00:00Z
    private static final FakeClock CLOCK = new FakeClock(Instant.ofEpochSecond(NOW));
    private static final Function<TrustDomain, Optional<TrustBundle>> BUNDLES =
            td -> td.equals(ForgedTokens.DOMAIN) ? Optional.of(ForgedTokens.bundle()) : Optional.empty();

    private final JwtSvidValidator validator = new JwtSvidValidator(CLOCK);

    private static Map<String, Object> claims(UnaryOperator<Map<String, Object>> change) {
        return change.apply(ForgedTokens.claims(NOW));
    }

    private static Map<String, Object> without(Map<String, Object> claims, String name) {
        claims.remove(name);
        return claims;
    }

    private static Map<String, Object> with(Map<String, Object> claims, String name, Object value) {
        claims.put(name, value);
        return claims;
    }

    private static String tampered() {
        String[] parts = ForgedTokens.es256(EC_KID, ForgedTokens.claims(NOW)).split("\\.");
        String otherPayload = new Payload(claims(c -> with(c, "sub", "spiffe://example.org/admin")))
                .toBase64URL()
                .toString();
        return parts[0] + "." + otherPayload + "." + parts[2];
    }

    static Stream<Arguments> rejected() {
        return Stream.of(
                Arguments.of("alg none", ForgedTokens.unsigned(claims(c -> c)), JwtSvidValidator.ALG_NONE),
                Arguments.of(
                        "HS256",
                        ForgedTokens.sign(
                                new JWSHeader.Builder(JWSAlgorithm.HS256)
                                        .keyID(EC_KID)
                                        .build(),
                                claims(c -> c),
                                null),
                        JwtSvidValidator.ALG_HMAC + "HS256"),
                Arguments.of(
                        "HS512",
                        ForgedTokens.sign(
                                new JWSHeader.Builder(JWSAlgorithm.HS512)
                                        .keyID(EC_KID)
                                        .build(),
                                claims(c -> c),
                                null),
                        JwtSvidValidator.ALG_HMAC + "HS512"),
                Arguments.of(
                        "missing kid",
                        ForgedTokens.sign(new JWSHeader.Builder(JWSAlgorithm.ES256).build(), claims(c -> c), EC),
                        JwtSvidValidator.NO_KID),
                Arguments.of(
                        "missing exp",
                        ForgedTokens.es256(EC_KID, claims(c -> without(c, "exp"))),
                        JwtSvidValidator.NO_EXP),
                Arguments.of(
                        "missing aud",
                        ForgedTokens.es256(EC_KID, claims(c -> without(c, "aud"))),
                        JwtSvidValidator.NO_AUD),
                Arguments.of(
                        "empty aud",
                        ForgedTokens.es256(EC_KID, claims(c -> with(c, "aud", List.of()))),
                        JwtSvidValidator.NO_AUD),
                Arguments.of(
                        "wrong audience",
                        ForgedTokens.es256(EC_KID, claims(c -> with(c, "aud", List.of("orders")))),
                        JwtSvidValidator.WRONG_AUDIENCE + "\"payments\""),
                Arguments.of(
                        "unknown kid",
                        ForgedTokens.es256("nope", claims(c -> c)),
                        JwtSvidValidator.UNKNOWN_KID + "nope"),
                Arguments.of(
                        "bad signature",
                        ForgedTokens.sign(
                                new JWSHeader.Builder(JWSAlgorithm.ES256)
                                        .keyID(EC_KID)
                                        .build(),
                                claims(c -> c),
                                OTHER_EC),
                        JwtSvidValidator.BAD_SIGNATURE),
                Arguments.of("tampered payload", tampered(), JwtSvidValidator.BAD_SIGNATURE),
                Arguments.of(
                        "expired",
                        ForgedTokens.es256(
                                EC_KID, claims(c -> with(c, "exp", NOW - JwtSvidValidator.CLOCK_SKEW.toSeconds()))),
                        JwtSvidValidator.EXPIRED),
                Arguments.of("malformed: one part", "not-a-token", JwtSvidValidator.MALFORMED),
                Arguments.of("malformed: not base64 JSON", "e30.!!!.abc", JwtSvidValidator.MALFORMED),
                Arguments.of("malformed: header not JSON", "bm90IGpzb24.e30.abc", JwtSvidValidator.MALFORMED),
                Arguments.of(
                        "missing sub",
                        ForgedTokens.es256(EC_KID, claims(c -> without(c, "sub"))),
                        JwtSvidValidator.NO_SUB),
                Arguments.of(
                        "sub not a SPIFFE ID",
                        ForgedTokens.es256(EC_KID, claims(c -> with(c, "sub", "https://example.org/orders"))),
                        JwtSvidValidator.SUB_NOT_SPIFFE_ID + "https://example.org/orders"),
                Arguments.of(
                        "trust domain without a bundle",
                        ForgedTokens.es256(EC_KID, claims(c -> with(c, "sub", "spiffe://other.org/orders"))),
                        JwtSvidValidator.NO_BUNDLE + "other.org"),
                Arguments.of(
                        "RS256 header on an EC key",
                        ForgedTokens.sign(
                                new JWSHeader.Builder(JWSAlgorithm.RS256)
                                        .keyID(EC_KID)
                                        .build(),
                                claims(c -> c),
                                RSA),
                        JwtSvidValidator.ALG_KEY_MISMATCH + "RS256 with a EC key"),
                Arguments.of(
                        "unsupported algorithm",
                        Base64URL.encode("{\"alg\":\"EdDSA\",\"kid\":\"" + EC_KID + "\"}") + "."
                                + new Payload(claims(c -> c)).toBase64URL() + ".c2ln",
                        JwtSvidValidator.ALG_UNSUPPORTED + "EdDSA"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rejected")
    void forgedOrBrokenToken_isRejectedSayingWhy(String name, String token, String message) {
        assertThatThrownBy(() -> validator.validate(token, "payments", BUNDLES))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessage(message);
    }

    @Test
    void es256Token_isValid_andAllItsClaimsAreReturned() {
        ValidatedJwtSvid valid = validator.validate(
                ForgedTokens.es256(EC_KID, claims(c -> with(c, "extra", Map.of("n", 1)))), "payments", BUNDLES);

        assertThat(valid.spiffeId()).isEqualTo(SpiffeId.parse("spiffe://example.org/orders"));
        assertThat(valid.claims())
                .containsEntry("sub", "spiffe://example.org/orders")
                .containsEntry("exp", NOW + 300)
                .containsEntry("aud", List.of("payments"))
                .containsKey("extra");
    }

    @Test
    void rs256Token_withASingleStringAudience_isValid() {
        String token = ForgedTokens.sign(
                new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(RSA_KID).build(),
                claims(c -> with(c, "aud", "payments")),
                RSA);

        assertThat(validator.validate(token, "payments", BUNDLES).spiffeId().path())
                .isEqualTo("/orders");
    }

    @Test
    void tokenJustPastExp_isAcceptedWithinTheClockSkew() {
        String token = ForgedTokens.es256(
                EC_KID, claims(c -> with(c, "exp", NOW - JwtSvidValidator.CLOCK_SKEW.toSeconds() + 1)));

        assertThat(validator.validate(token, "payments", BUNDLES).spiffeId().path())
                .isEqualTo("/orders");
    }

    @Test
    void oneOfSeveralAudiences_isEnough() {
        String token = ForgedTokens.es256(EC_KID, claims(c -> with(c, "aud", List.of("billing", "payments"))));

        assertThat(validator.validate(token, "payments", BUNDLES).spiffeId().path())
                .isEqualTo("/orders");
    }
}
