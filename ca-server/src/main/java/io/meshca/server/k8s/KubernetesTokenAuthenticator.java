package io.meshca.server.k8s;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.crypto.factories.DefaultJWSVerifierFactory;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.KeyConverter;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.meshca.common.logging.LogSafe;
import java.security.Key;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Verifies a Kubernetes service-account token (a JWS) the way istiod does, with the reason of every
 * refusal spelled out for the log: the {@code iss} must be a trusted issuer, the signature must verify
 * with a key of that issuer's JWKS (chosen by {@code kid} and algorithm), {@code exp} is required and
 * not passed, {@code nbf} is honoured (both with {@link #CLOCK_SKEW}), {@code aud} must contain one of
 * the issuer's audiences, and the claims must name a service account.
 */
public final class KubernetesTokenAuthenticator {

    /** Tolerated clock difference between the token issuer and this server. */
    static final Duration CLOCK_SKEW = Duration.ofSeconds(60);
    /** Asymmetric signatures only: "none" and HMAC have no place in a token verified with a public JWKS. */
    static final Set<JWSAlgorithm> ALGORITHMS = Set.of(
            JWSAlgorithm.RS256,
            JWSAlgorithm.RS384,
            JWSAlgorithm.RS512,
            JWSAlgorithm.PS256,
            JWSAlgorithm.PS384,
            JWSAlgorithm.PS512,
            JWSAlgorithm.ES256,
            JWSAlgorithm.ES384,
            JWSAlgorithm.ES512);
    /** Kubernetes tokens are a few hundred bytes to a couple of KB; anything far larger is not one. */
    static final int MAX_TOKEN_CHARS = 16 * 1024;

    /** An issuer of tokens: its {@code iss}, its keys and the audiences that make a token meant for us. */
    public record Issuer(String issuer, JWKSource<SecurityContext> keys, List<String> audiences) {
        public Issuer {
            Objects.requireNonNull(issuer, "issuer");
            Objects.requireNonNull(keys, "keys");
            audiences = List.copyOf(audiences);
        }
    }

    private final Map<String, Issuer> issuers = new LinkedHashMap<>();
    private final Clock clock;
    private final DefaultJWSVerifierFactory verifiers = new DefaultJWSVerifierFactory();

    public KubernetesTokenAuthenticator(List<Issuer> issuers, Clock clock) {
        for (Issuer i : issuers) {
            this.issuers.put(i.issuer(), i);
        }
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The token's service account; throws with the reason (fit for the log) when the token is not accepted. */
    public ServiceAccount authenticate(String token) throws TokenRejectedException {
        JWTClaimsSet claims = verify(token);
        return KubernetesClaims.serviceAccount(claims)
                .orElseThrow(() -> new TokenRejectedException("token of " + claims.getIssuer()
                        + " names no Kubernetes service account (no kubernetes.io claims, no "
                        + "system:serviceaccount subject)"));
    }

    /**
     * The claims of a token that a trusted issuer signed, that is valid now and meant for one of that
     * issuer's audiences; throws with the reason (fit for the log) otherwise. What the claims name is the
     * caller's to check.
     */
    public JWTClaimsSet verify(String token) throws TokenRejectedException {
        if (token.length() > MAX_TOKEN_CHARS) {
            throw new TokenRejectedException("token is longer than " + MAX_TOKEN_CHARS + " characters");
        }
        SignedJWT jwt;
        JWTClaimsSet claims;
        try {
            jwt = SignedJWT.parse(token);
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            // not e.getMessage(): a parser's message may quote the token
            throw new TokenRejectedException("token is not a signed JWT (compact JWS with JSON claims)");
        }
        String iss = claims.getIssuer();
        if (iss == null) {
            throw new TokenRejectedException("token has no iss claim");
        }
        Issuer issuer = issuers.get(iss);
        if (issuer == null) {
            throw new TokenRejectedException("token issuer " + LogSafe.of(iss) + " is not a trusted issuer");
        }
        verifySignature(jwt, issuer);
        checkTimes(claims);
        checkAudience(claims, issuer);
        return claims;
    }

    private void verifySignature(SignedJWT jwt, Issuer issuer) throws TokenRejectedException {
        JWSHeader header = jwt.getHeader();
        if (!ALGORITHMS.contains(header.getAlgorithm())) {
            throw new TokenRejectedException(
                    "token algorithm " + LogSafe.of(header.getAlgorithm()) + " is not accepted");
        }
        List<JWK> candidates;
        try {
            candidates = issuer.keys().get(new JWKSelector(JWKMatcher.forJWSHeader(header)), null);
        } catch (KeySourceException e) {
            throw new TokenRejectedException("cannot get the JWKS of " + issuer.issuer() + ": " + e.getMessage());
        }
        if (candidates.isEmpty()) {
            throw new TokenRejectedException("no key in the JWKS of " + issuer.issuer() + " has kid "
                    + LogSafe.of(header.getKeyID()) + " for " + header.getAlgorithm());
        }
        for (Key key : KeyConverter.toJavaKeys(candidates)) {
            try {
                JWSVerifier verifier = verifiers.createJWSVerifier(header, key);
                if (jwt.verify(verifier)) {
                    return;
                }
            } catch (JOSEException e) {
                // a key of the wrong size or curve for this header: try the next candidate
            }
        }
        throw new TokenRejectedException("token signature does not verify with the key(s) of " + issuer.issuer()
                + " (kid " + LogSafe.of(header.getKeyID()) + ")");
    }

    private void checkTimes(JWTClaimsSet claims) throws TokenRejectedException {
        Instant now = clock.instant();
        Date exp = claims.getExpirationTime();
        if (exp == null) {
            throw new TokenRejectedException("token has no exp claim");
        }
        if (now.isAfter(exp.toInstant().plus(CLOCK_SKEW))) {
            throw new TokenRejectedException("token expired at " + exp.toInstant());
        }
        Date nbf = claims.getNotBeforeTime();
        if (nbf != null && now.plus(CLOCK_SKEW).isBefore(nbf.toInstant())) {
            throw new TokenRejectedException("token is not valid before " + nbf.toInstant());
        }
    }

    private static void checkAudience(JWTClaimsSet claims, Issuer issuer) throws TokenRejectedException {
        List<String> audience = claims.getAudience();
        if (audience.stream().noneMatch(issuer.audiences()::contains)) {
            throw new TokenRejectedException(
                    "token audience " + LogSafe.of(audience) + " contains none of " + issuer.audiences());
        }
    }
}
