package io.meshca.server.k8s;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;

/** A Kubernetes-like token issuer for tests: its own EC P-256 key, its JWKS, and tokens in both claim forms. */
public final class TestTokenIssuer {

    public final String issuer;
    public final ECKey key;

    public TestTokenIssuer(String issuer, String kid) {
        this.issuer = issuer;
        try {
            this.key = new ECKeyGenerator(Curve.P_256).keyID(kid).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    public String jwksJson() {
        return new JWKSet(key.toPublicJWK()).toString();
    }

    public Path writeJwks(Path file) {
        try {
            Files.writeString(file, jwksJson());
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Claims of a projected (bound) service-account token valid for the next 10 minutes. */
    public JWTClaimsSet.Builder projected(String namespace, String serviceAccount, String audience) {
        Instant now = Instant.now();
        return new JWTClaimsSet.Builder()
                .issuer(issuer)
                .audience(audience)
                .subject("system:serviceaccount:" + namespace + ":" + serviceAccount)
                .issueTime(Date.from(now))
                .notBeforeTime(Date.from(now))
                .expirationTime(Date.from(now.plus(Duration.ofMinutes(10))))
                .claim(
                        "kubernetes.io",
                        Map.of(
                                "namespace",
                                namespace,
                                "serviceaccount",
                                Map.of("name", serviceAccount, "uid", "0c4f-test"),
                                "pod",
                                Map.of("name", "p-1", "uid", "9f1e-test")));
    }

    /** Claims in the legacy secret-based form (no kubernetes.io object, a subject that disagrees). */
    public JWTClaimsSet.Builder legacy(String namespace, String serviceAccount, String audience) {
        return new JWTClaimsSet.Builder()
                .issuer(issuer)
                .audience(List.of(audience))
                .subject("legacy-subject-not-used")
                .expirationTime(Date.from(Instant.now().plus(Duration.ofMinutes(10))))
                .claim("kubernetes.io/serviceaccount/namespace", namespace)
                .claim("kubernetes.io/serviceaccount/service-account.name", serviceAccount)
                .claim("kubernetes.io/serviceaccount/secret.name", serviceAccount + "-token-abcde");
    }

    public String sign(JWTClaimsSet.Builder claims) {
        return sign(claims, key);
    }

    /** Signs with {@code signingKey} but under this issuer's kid (a forged or wrongly signed token). */
    public String sign(JWTClaimsSet.Builder claims, ECKey signingKey) {
        try {
            SignedJWT jwt = new SignedJWT(
                    new JWSHeader.Builder(JWSAlgorithm.ES256)
                            .keyID(key.getKeyID())
                            .build(),
                    claims.build());
            jwt.sign(new ECDSASigner(signingKey));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    public String token(String namespace, String serviceAccount) {
        return sign(projected(namespace, serviceAccount, "istio-ca"));
    }
}
