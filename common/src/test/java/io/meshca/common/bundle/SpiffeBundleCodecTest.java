package io.meshca.common.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.util.JSONObjectUtils;
import io.meshca.common.pki.Certificates;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.common.spiffe.TrustDomain;
import io.meshca.common.testing.TestPki;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SpiffeBundleCodecTest {

    private static final TrustDomain TD = TrustDomain.parse("example.org");
    private static final TestPki.Authority ROOT = TestPki.root(TD);
    private static final TestPki.Authority ROOT2 = TestPki.root(TD);
    private static final KeyPair JWT_KEY = TestPki.keyPair();

    @Test
    void roundTrip_keepsAuthoritiesSequenceAndHint() {
        SpiffeBundle bundle = new SpiffeBundle(
                TD,
                List.of(ROOT.certificate(), ROOT2.certificate()),
                List.of(new JwtAuthority("kid-1", JWT_KEY.getPublic())),
                7,
                Duration.ofSeconds(300));

        SpiffeBundle parsed = SpiffeBundleCodec.parse(TD, SpiffeBundleCodec.toJson(bundle));

        assertThat(parsed.x509Authorities()).containsExactly(ROOT.certificate(), ROOT2.certificate());
        assertThat(parsed.jwtAuthorities()).singleElement().satisfies(k -> {
            assertThat(k.keyId()).isEqualTo("kid-1");
            assertThat(k.publicKey().getEncoded()).isEqualTo(JWT_KEY.getPublic().getEncoded());
        });
        assertThat(parsed.sequence()).isEqualTo(7);
        assertThat(parsed.refreshHint()).isEqualTo(Duration.ofSeconds(300));
    }

    @Test
    @SuppressWarnings("unchecked")
    void rendering_followsTheSvidStandards() throws Exception {
        SpiffeBundle bundle = new SpiffeBundle(
                TD,
                List.of(ROOT.certificate()),
                List.of(new JwtAuthority("kid-1", JWT_KEY.getPublic())),
                3,
                Duration.ofMinutes(5));

        Map<String, Object> doc = JSONObjectUtils.parse(SpiffeBundleCodec.toJson(bundle));

        assertThat(doc).containsEntry("spiffe_sequence", 3L).containsEntry("spiffe_refresh_hint", 300L);
        List<Map<String, Object>> keys = (List<Map<String, Object>>) doc.get("keys");
        assertThat(keys).hasSize(2);
        assertThat(keys.get(0))
                .containsEntry("use", "x509-svid")
                .containsEntry("kty", "EC")
                .containsEntry("crv", "P-256")
                .doesNotContainKey("kid")
                .containsKeys("x", "y");
        assertThat((List<String>) keys.get(0).get("x5c"))
                .containsExactly(Base64.getEncoder().encodeToString(Certificates.der(ROOT.certificate())));
        assertThat(keys.get(1))
                .containsEntry("use", "jwt-svid")
                .containsEntry("kid", "kid-1")
                .doesNotContainKey("x5c");
    }

    @Test
    @SuppressWarnings("unchecked")
    void jwks_holdsOnlyJwtKeys() throws Exception {
        Map<String, Object> doc =
                JSONObjectUtils.parse(SpiffeBundleCodec.toJwks(List.of(new JwtAuthority("k", JWT_KEY.getPublic()))));

        assertThat(doc).containsOnlyKeys("keys");
        assertThat((List<Map<String, Object>>) doc.get("keys"))
                .singleElement()
                .satisfies(k -> assertThat(k).containsEntry("kid", "k").containsEntry("use", "jwt-svid"));
    }

    /** Written by hand from the standard's Appendix A, field order and all, as another implementation would. */
    @Test
    void handWrittenDocument_isAccepted() {
        ECPublicKey ec = (ECPublicKey) ROOT.certificate().getPublicKey();
        ECPublicKey jwt = (ECPublicKey) JWT_KEY.getPublic();
        String doc = """
                {
                    "spiffe_sequence": 12,
                    "spiffe_refresh_hint": 2419200,
                    "keys": [
                        {
                            "kty": "EC",
                            "crv": "P-256",
                            "use": "x509-svid",
                            "x5c": ["%s"],
                            "x": "%s",
                            "y": "%s"
                        },
                        {
                            "kty": "EC",
                            "kid": "C6vs25welZOx6WksNYfbMfiw9l96pMnD",
                            "crv": "P-256",
                            "use": "jwt-svid",
                            "x": "%s",
                            "y": "%s"
                        },
                        {
                            "kty": "EC",
                            "use": "wit-svid",
                            "crv": "P-256",
                            "x": "%s",
                            "y": "%s"
                        }
                    ]
                }
                """.formatted(
                        Base64.getEncoder().encodeToString(Certificates.der(ROOT.certificate())),
                        coord(ec.getW().getAffineX()),
                        coord(ec.getW().getAffineY()),
                        coord(jwt.getW().getAffineX()),
                        coord(jwt.getW().getAffineY()),
                        coord(jwt.getW().getAffineX()),
                        coord(jwt.getW().getAffineY()));

        SpiffeBundle bundle = SpiffeBundleCodec.parse(TD, doc);

        assertThat(bundle.x509Authorities()).containsExactly(ROOT.certificate());
        assertThat(bundle.jwtAuthorities())
                .extracting(JwtAuthority::keyId)
                .containsExactly("C6vs25welZOx6WksNYfbMfiw9l96pMnD");
        assertThat(bundle.sequence()).isEqualTo(12);
        assertThat(bundle.refreshHint()).isEqualTo(Duration.ofDays(28));
    }

    @Test
    void noKeys_isRefused() {
        assertRefused("{\"spiffe_sequence\":1}", SpiffeBundleCodec.NO_KEYS);
        assertRefused("{\"keys\":{}}", SpiffeBundleCodec.NO_KEYS);
    }

    @Test
    void notJson_isRefused() {
        assertRefused("-----BEGIN CERTIFICATE-----", SpiffeBundleCodec.NOT_JSON);
    }

    @Test
    void x509KeyWithTwoCerts_isRefused() {
        String cert = b64(ROOT.certificate());
        assertRefused(
                x509Doc("\"" + cert + "\",\"" + b64(ROOT2.certificate()) + "\"", ROOT.certificate()),
                SpiffeBundleCodec.X5C_NOT_ONE);
    }

    @Test
    void x509KeyWithNoCert_isRefused() {
        assertRefused(x509Doc("", ROOT.certificate()), SpiffeBundleCodec.X5C_NOT_ONE);
    }

    @Test
    void certThatIsNotACa_isRefused() {
        TestPki.Leaf leaf = ROOT.leaf(SpiffeId.parse("spiffe://example.org/web"));
        assertRefused(x509Doc("\"" + b64(leaf.certificate()) + "\"", leaf.certificate()), SpiffeBundleCodec.X5C_NOT_CA);
    }

    @Test
    void nonCaCertWithoutSpiffeId_isRefused() {
        Instant now = Instant.now();
        TestPki.Leaf noBc = ROOT.issue(
                new TestPki.Profile(false, null, List.of()),
                TestPki.keyPair(),
                now.minusSeconds(60),
                now.plusSeconds(3600));
        assertRefused(x509Doc("\"" + b64(noBc.certificate()) + "\"", noBc.certificate()), SpiffeBundleCodec.X5C_NOT_CA);
    }

    @Test
    void caOfAnotherTrustDomain_isRefused() {
        TestPki.Authority other = TestPki.root(TrustDomain.parse("other.org"));
        assertRefused(
                x509Doc("\"" + b64(other.certificate()) + "\"", other.certificate()),
                SpiffeBundleCodec.X5C_OTHER_DOMAIN);
    }

    @Test
    void publicKeyNotMatchingItsCert_isRefused() {
        assertRefused(
                x509Doc("\"" + b64(ROOT.certificate()) + "\"", ROOT2.certificate()), SpiffeBundleCodec.KEY_MISMATCH);
    }

    @Test
    void jwtKeyWithoutKid_isRefused() {
        assertRefused("{\"keys\":[" + jwtKey(null) + "]}", SpiffeBundleCodec.JWT_NO_KID);
    }

    @Test
    void duplicateKids_areRefused() {
        assertRefused("{\"keys\":[" + jwtKey("a") + "," + jwtKey("a") + "]}", SpiffeBundleCodec.DUPLICATE_KID);
    }

    @Test
    void keyWithoutUse_isRefused() {
        assertRefused("{\"keys\":[{\"kty\":\"EC\"}]}", SpiffeBundleCodec.NO_USE);
    }

    @Test
    void onlyUnknownUses_isRefused() {
        assertRefused("{\"keys\":[{\"kty\":\"EC\",\"use\":\"x509svid\"}]}", SpiffeBundleCodec.NO_USABLE_KEY);
    }

    @Test
    void negativeSequence_isRefused() {
        assertRefused("{\"keys\":[],\"spiffe_sequence\":-1}", SpiffeBundleCodec.BAD_SEQUENCE);
        assertRefused("{\"keys\":[],\"spiffe_refresh_hint\":\"soon\"}", SpiffeBundleCodec.BAD_REFRESH_HINT);
    }

    private static void assertRefused(String doc, String problem) {
        assertThatThrownBy(() -> SpiffeBundleCodec.parse(TD, doc))
                .isInstanceOf(InvalidBundleException.class)
                .hasMessageContaining(problem);
    }

    private static String x509Doc(String x5cItems, X509Certificate keyOf) {
        ECPublicKey ec = (ECPublicKey) keyOf.getPublicKey();
        return "{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-256\",\"use\":\"x509-svid\",\"x5c\":[" + x5cItems + "],"
                + "\"x\":\"" + coord(ec.getW().getAffineX()) + "\",\"y\":\""
                + coord(ec.getW().getAffineY()) + "\"}]}";
    }

    private static String jwtKey(String kid) {
        ECPublicKey ec = (ECPublicKey) JWT_KEY.getPublic();
        return "{\"kty\":\"EC\",\"crv\":\"P-256\",\"use\":\"jwt-svid\","
                + (kid == null ? "" : "\"kid\":\"" + kid + "\",") + "\"x\":\""
                + coord(ec.getW().getAffineX()) + "\",\"y\":\""
                + coord(ec.getW().getAffineY()) + "\"}";
    }

    private static String b64(X509Certificate cert) {
        return Base64.getEncoder().encodeToString(Certificates.der(cert));
    }

    /** base64url of the 32-byte big-endian coordinate, as RFC 7518 section 6.2.1 writes it. */
    private static String coord(BigInteger value) {
        byte[] raw = value.toByteArray();
        byte[] out = new byte[32];
        int n = Math.min(raw.length, 32);
        System.arraycopy(raw, raw.length - n, out, 32 - n, n);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(out);
    }
}
