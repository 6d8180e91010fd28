package io.meshca.agent.jwt;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jose.util.JSONObjectUtils;
import io.meshca.agent.cache.TrustBundle;
import io.meshca.common.bundle.JwtAuthority;
import io.meshca.common.error.InvalidArgumentException;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.common.spiffe.TrustDomain;
import java.nio.charset.StandardCharsets;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Validates JWT-SVIDs per the SPIFFE JWT-SVID standard: the signature against the bundle of the
 * token's trust domain (taken from {@code sub}), {@code aud} containing the audience, not expired.
 * Every rejection is an {@link InvalidArgumentException} whose message says which check failed (the
 * constants below). The algorithm comes from the key the bundle holds, checked against the header: a
 * token cannot pick HMAC or {@code none} to sidestep the signature.
 */
public final class JwtSvidValidator {

    public static final String MALFORMED = "malformed JWT-SVID: not a compact JWS";
    public static final String ALG_NONE = "JWT-SVID is unsigned (alg: none)";
    public static final String ALG_HMAC = "JWT-SVID uses an HMAC algorithm, which SPIFFE forbids: ";
    public static final String ALG_UNSUPPORTED = "JWT-SVID uses an unsupported algorithm: ";
    public static final String NO_KID = "JWT-SVID header has no kid";
    public static final String NO_SUB = "JWT-SVID has no sub claim";
    public static final String SUB_NOT_SPIFFE_ID = "JWT-SVID sub is not a SPIFFE ID: ";
    public static final String NO_BUNDLE = "no JWT bundle for trust domain ";
    public static final String UNKNOWN_KID = "JWT-SVID signed by an unknown key: kid ";
    public static final String ALG_KEY_MISMATCH = "JWT-SVID algorithm does not match its key: ";
    public static final String BAD_SIGNATURE = "JWT-SVID signature is invalid";
    public static final String NO_EXP = "JWT-SVID has no exp claim";
    public static final String EXPIRED = "JWT-SVID has expired";
    public static final String NO_AUD = "JWT-SVID has no aud claim";
    public static final String WRONG_AUDIENCE = "JWT-SVID audience does not contain ";

    /** Leeway for clocks that differ between issuer and validator. */
    public static final Duration CLOCK_SKEW = Duration.ofSeconds(30);

    private static final Set<JWSAlgorithm> EC = Set.of(JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.ES512);
    private static final Set<JWSAlgorithm> RSA = Set.of(
            JWSAlgorithm.RS256,
            JWSAlgorithm.RS384,
            JWSAlgorithm.RS512,
            JWSAlgorithm.PS256,
            JWSAlgorithm.PS384,
            JWSAlgorithm.PS512);

    private final Clock clock;

    public JwtSvidValidator(Clock clock) {
        this.clock = clock;
    }

    /**
     * Validates {@code token} for {@code audience} against the bundles {@code bundles} returns (by the
     * trust domain of the token's {@code sub}).
     *
     * @throws InvalidArgumentException naming the failed check
     */
    public ValidatedJwtSvid validate(
            String token, String audience, Function<TrustDomain, Optional<TrustBundle>> bundles) {
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3 || parts[0].isEmpty() || parts[1].isEmpty()) {
            throw new InvalidArgumentException(
                    parts.length == 2 || (parts.length == 3 && parts[2].isEmpty()) ? missingPart(parts) : MALFORMED);
        }
        Map<String, Object> headerJson = json(parts[0]);
        Object alg = headerJson.get("alg");
        if ("none".equals(alg)) {
            throw new InvalidArgumentException(ALG_NONE);
        }
        if (alg instanceof String name && name.startsWith("HS")) {
            throw new InvalidArgumentException(ALG_HMAC + name);
        }
        JWSHeader header;
        try {
            header = JWSHeader.parse(headerJson, new Base64URL(parts[0]));
        } catch (ParseException e) {
            throw new InvalidArgumentException(MALFORMED, e);
        }
        JWSAlgorithm algorithm = header.getAlgorithm();
        if (!EC.contains(algorithm) && !RSA.contains(algorithm)) {
            throw new InvalidArgumentException(ALG_UNSUPPORTED + algorithm);
        }
        String kid = header.getKeyID();
        if (kid == null || kid.isEmpty()) {
            throw new InvalidArgumentException(NO_KID);
        }
        Map<String, Object> claims = json(parts[1]);
        SpiffeId subject = subject(claims);
        TrustBundle bundle = bundles.apply(subject.trustDomain())
                .orElseThrow(() -> new InvalidArgumentException(NO_BUNDLE + subject.trustDomain()));
        JwtAuthority key = bundle.jwtAuthority(kid).orElseThrow(() -> new InvalidArgumentException(UNKNOWN_KID + kid));
        if (!verify(header, parts, key)) {
            throw new InvalidArgumentException(BAD_SIGNATURE);
        }
        checkExpiry(claims);
        checkAudience(claims, audience);
        return new ValidatedJwtSvid(subject, claims);
    }

    private static String missingPart(String[] parts) {
        // "header.payload." is how alg none is serialized; anything else missing a part is malformed.
        try {
            return "none".equals(json(parts[0]).get("alg")) ? ALG_NONE : MALFORMED;
        } catch (InvalidArgumentException e) {
            return MALFORMED;
        }
    }

    private static Map<String, Object> json(String part) {
        try {
            return JSONObjectUtils.parse(new String(new Base64URL(part).decode(), StandardCharsets.UTF_8));
        } catch (ParseException | RuntimeException e) {
            throw new InvalidArgumentException(MALFORMED, e);
        }
    }

    private static SpiffeId subject(Map<String, Object> claims) {
        Object sub = claims.get("sub");
        if (sub == null) {
            throw new InvalidArgumentException(NO_SUB);
        }
        if (!(sub instanceof String text)) {
            throw new InvalidArgumentException(SUB_NOT_SPIFFE_ID + sub);
        }
        try {
            return SpiffeId.parse(text);
        } catch (InvalidArgumentException e) {
            throw new InvalidArgumentException(SUB_NOT_SPIFFE_ID + text, e);
        }
    }

    private static boolean verify(JWSHeader header, String[] parts, JwtAuthority key) {
        JWSAlgorithm algorithm = header.getAlgorithm();
        try {
            JWSVerifier verifier;
            if (EC.contains(algorithm) && key.publicKey() instanceof ECPublicKey ec) {
                verifier = new ECDSAVerifier(ec);
            } else if (RSA.contains(algorithm) && key.publicKey() instanceof RSAPublicKey rsa) {
                verifier = new RSASSAVerifier(rsa);
            } else {
                throw new InvalidArgumentException(ALG_KEY_MISMATCH + algorithm + " with a "
                        + key.publicKey().getAlgorithm() + " key");
            }
            byte[] signingInput = (parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII);
            return verifier.verify(header, signingInput, new Base64URL(parts[2]));
        } catch (JOSEException e) {
            // e.g. an EC key of another curve than the algorithm's
            throw new InvalidArgumentException(ALG_KEY_MISMATCH + e.getMessage(), e);
        }
    }

    private void checkExpiry(Map<String, Object> claims) {
        Object exp = claims.get("exp");
        if (exp == null) {
            throw new InvalidArgumentException(NO_EXP);
        }
        if (!(exp instanceof Number seconds)) {
            throw new InvalidArgumentException(MALFORMED + " (exp is not a number)");
        }
        if (!clock.instant().isBefore(Instant.ofEpochSecond(seconds.longValue()).plus(CLOCK_SKEW))) {
            throw new InvalidArgumentException(EXPIRED);
        }
    }

    private static void checkAudience(Map<String, Object> claims, String audience) {
        Object aud = claims.get("aud");
        List<?> values = aud instanceof List<?> list ? list : aud == null ? List.of() : List.of(aud);
        if (values.isEmpty()) {
            throw new InvalidArgumentException(NO_AUD);
        }
        if (!values.contains(audience)) {
            throw new InvalidArgumentException(WRONG_AUDIENCE + "\"" + audience + "\"");
        }
    }
}
