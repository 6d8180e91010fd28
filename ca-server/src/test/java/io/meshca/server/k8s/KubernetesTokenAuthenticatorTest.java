package io.meshca.server.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.PlainHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.meshca.common.spiffe.TrustDomain;
import io.meshca.common.testing.FakeClock;
import io.meshca.common.testing.TestPki;
import io.meshca.common.tls.SvidKeyManager;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;

/** Token checks one by one, on a fake clock, with the reason each refusal gives the log. */
class KubernetesTokenAuthenticatorTest {

    private static final String ISS = "https://kubernetes.default.svc.cluster.local";
    private static final Instant NOW = Instant.now();

    private final TestTokenIssuer k8s = new TestTokenIssuer(ISS, "k1");
    private final FakeClock clock = new FakeClock(NOW);

    private KubernetesTokenAuthenticator authenticator(JWKSource<SecurityContext> keys, String... audiences) {
        return new KubernetesTokenAuthenticator(
                List.of(new KubernetesTokenAuthenticator.Issuer(
                        ISS, keys, audiences.length == 0 ? List.of("istio-ca") : List.of(audiences))),
                clock);
    }

    private KubernetesTokenAuthenticator authenticator() {
        return authenticator(new ImmutableJWKSet<>(new JWKSet(k8s.key.toPublicJWK())));
    }

    private JWTClaimsSet.Builder valid() {
        return k8s.projected("shop", "checkout", "istio-ca");
    }

    private void assertRejected(String token, String reason) {
        assertThatThrownBy(() -> authenticator().authenticate(token))
                .isInstanceOf(TokenRejectedException.class)
                .hasMessageContaining(reason);
    }

    @Test
    void projectedLegacyAndSubjectForms_nameTheServiceAccount() throws Exception {
        assertThat(authenticator().authenticate(k8s.sign(valid()))).isEqualTo(new ServiceAccount("shop", "checkout"));
        assertThat(authenticator().authenticate(k8s.sign(k8s.legacy("ops", "deployer", "istio-ca"))))
                .isEqualTo(new ServiceAccount("ops", "deployer"));
        assertThat(authenticator()
                        .authenticate(k8s.sign(new JWTClaimsSet.Builder()
                                .issuer(ISS)
                                .audience("istio-ca")
                                .subject("system:serviceaccount:web:frontend")
                                .expirationTime(Date.from(NOW.plusSeconds(600))))))
                .isEqualTo(new ServiceAccount("web", "frontend"));
        assertThat(new ServiceAccount("web", "frontend").spiffeId(TrustDomain.parse("cluster.local")))
                .hasToString("spiffe://cluster.local/ns/web/sa/frontend");
    }

    @Test
    void timeChecks_allowAMinuteOfSkew() throws Exception {
        String token = k8s.sign(
                valid().notBeforeTime(Date.from(NOW.plusSeconds(30))).expirationTime(Date.from(NOW.plusSeconds(60))));

        assertThat(authenticator().authenticate(token)).isEqualTo(new ServiceAccount("shop", "checkout"));
        clock.advance(Duration.ofSeconds(119));
        assertThat(authenticator().authenticate(token)).isEqualTo(new ServiceAccount("shop", "checkout"));
        clock.advance(Duration.ofSeconds(2));
        assertRejected(token, "token expired at");
    }

    @Test
    void refusals_sayWhy() throws Exception {
        assertRejected(k8s.sign(valid().notBeforeTime(Date.from(NOW.plusSeconds(300)))), "token is not valid before");
        assertRejected(k8s.sign(valid().expirationTime(null)), "token has no exp claim");
        assertRejected(k8s.sign(valid().issuer(null)), "token has no iss claim");
        assertRejected(
                k8s.sign(valid().audience(List.of("api", "vault"))),
                "token audience [api, vault] contains none of [istio-ca]");
        assertRejected(
                k8s.sign(valid().claim("kubernetes.io", null).subject("user:alice")),
                "names no Kubernetes service account");
        assertRejected("a.b", "token is not a signed JWT");
        assertRejected(new PlainJWT(new PlainHeader(), valid().build()).serialize(), "token is not a signed JWT");
        SignedJWT hmac = new SignedJWT(
                new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("k1").build(), valid().build());
        hmac.sign(new MACSigner(new byte[32]));
        assertRejected(hmac.serialize(), "token algorithm HS256 is not accepted");
    }

    @Test
    void audience_mayBeAnyOfTheConfiguredOnes() throws Exception {
        var auth = authenticator(new ImmutableJWKSet<>(new JWKSet(k8s.key.toPublicJWK())), "istio-ca", "meshca");

        assertThat(auth.authenticate(k8s.sign(valid().audience(List.of("https://kubernetes.default.svc", "meshca")))))
                .isEqualTo(new ServiceAccount("shop", "checkout"));
    }

    @Test
    void rs256Tokens_asKubernetesSignsThem_verify() throws Exception {
        RSAKey rsa = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
        SignedJWT jwt = new SignedJWT(
                new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("rsa-1").build(), valid().build());
        jwt.sign(new RSASSASigner(rsa));
        var auth = authenticator(new ImmutableJWKSet<>(new JWKSet(List.of(k8s.key.toPublicJWK(), rsa.toPublicJWK()))));

        assertThat(auth.authenticate(jwt.serialize())).isEqualTo(new ServiceAccount("shop", "checkout"));
    }

    @Test
    void jwksFromAnHttpsUrl_isFetched_andRefetchedForAnUnknownKid() throws Exception {
        TestPki.Authority ca = TestPki.root(TrustDomain.parse("jwks.test"));
        TestPki.Leaf serving = ca.issue(
                new TestPki.Profile(false, null, List.of("localhost")),
                TestPki.keyPair(),
                NOW.minusSeconds(3600),
                NOW.plusSeconds(3600));
        AtomicReference<String> jwks = new AtomicReference<>(k8s.jwksJson());
        AtomicInteger fetches = new AtomicInteger();
        SSLContext serverTls = SSLContext.getInstance("TLS");
        serverTls.init(new KeyManager[] {new SvidKeyManager(serving::identity)}, null, null);
        HttpsServer http = HttpsServer.create(new InetSocketAddress(InetAddress.getByName("localhost"), 0), 4);
        http.setHttpsConfigurator(new HttpsConfigurator(serverTls));
        http.createContext("/openid/v1/jwks", exchange -> {
            fetches.incrementAndGet();
            byte[] body = jwks.get().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        http.start();
        try {
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            trust.setCertificateEntry("ca", ca.certificate());
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext clientTls = SSLContext.getInstance("TLS");
            clientTls.init(null, tmf.getTrustManagers(), null);
            var auth = authenticator(JwksSources.fromUrl(
                    URI.create("https://localhost:" + http.getAddress().getPort() + "/openid/v1/jwks"),
                    clientTls.getSocketFactory()));

            assertThat(auth.authenticate(k8s.sign(valid()))).isEqualTo(new ServiceAccount("shop", "checkout"));
            assertThat(auth.authenticate(k8s.sign(valid()))).isEqualTo(new ServiceAccount("shop", "checkout"));
            assertThat(fetches).as("the JWKS is cached").hasValue(1);

            TestTokenIssuer rotated = new TestTokenIssuer(ISS, "k2");
            jwks.set(new JWKSet(List.of(k8s.key.toPublicJWK(), rotated.key.toPublicJWK())).toString());
            assertThat(auth.authenticate(rotated.sign(rotated.projected("shop", "cart", "istio-ca"))))
                    .isEqualTo(new ServiceAccount("shop", "cart"));
            assertThat(fetches).as("an unknown kid refetches").hasValue(2);
        } finally {
            http.stop(0);
        }
    }
}
