package io.meshca.server.ca.signing;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshca.common.pki.Certificates;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.common.spiffe.TrustDomain;
import io.meshca.common.testing.FakeClock;
import io.meshca.common.testing.TestPki;
import io.meshca.server.ca.keys.MemoryKeyManager;
import io.meshca.server.ca.keys.SigningKey;
import java.math.BigInteger;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.asn1.x509.Time;
import org.bouncycastle.cert.X509CertificateHolder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The X509-SVID profile, rule by rule, checked by parsing issued certificates. */
class X509SvidSignerTest {

    private static final TrustDomain TD = TrustDomain.parse("example.org");
    private static final SpiffeId WEB = SpiffeId.parse("spiffe://example.org/web");
    private static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");

    private final FakeClock clock = new FakeClock(T0);
    private final SigningKey caKey = new MemoryKeyManager().generate("ca");
    private final X509Certificate caCert = RootCaFactory.selfSigned(TD, caKey, Duration.ofHours(24), clock);
    private final X509SvidSigner signer = new X509SvidSigner(() -> new X509Authority(caCert, caKey, List.of()), clock);

    private X509Certificate sign(List<String> dns, Duration ttl) {
        return signer.sign(new SvidRequest(WEB, TestPki.keyPair().getPublic(), dns, ttl))
                .get(0);
    }

    @Test
    void leaf_hasExactlyOneUriSan_theSpiffeId_plusDnsSans() throws Exception {
        X509Certificate leaf = sign(List.of("web.example.org", "web"), Duration.ofHours(1));

        assertThat(Certificates.spiffeId(leaf)).contains(WEB);
        long uris = leaf.getSubjectAlternativeNames().stream()
                .filter(s -> (Integer) s.get(0) == 6)
                .count();
        assertThat(uris).isEqualTo(1);
        assertThat(leaf.getSubjectAlternativeNames().stream()
                        .filter(s -> (Integer) s.get(0) == 2)
                        .map(s -> (String) s.get(1))
                        .toList())
                .containsExactly("web.example.org", "web");
        assertThat(leaf.getSubjectX500Principal().getName()).contains("CN=web.example.org");
    }

    @Test
    void leaf_isNotACa_andHasCriticalLeafKeyUsage() {
        X509Certificate leaf = sign(List.of(), Duration.ofHours(1));

        assertThat(leaf.getBasicConstraints()).isEqualTo(-1);
        assertThat(leaf.getCriticalExtensionOIDs())
                .contains(Extension.keyUsage.getId(), Extension.basicConstraints.getId());
        boolean[] ku = leaf.getKeyUsage();
        assertThat(ku[0]).as("digitalSignature").isTrue();
        assertThat(ku[2]).as("keyEncipherment").isTrue();
        assertThat(ku[4]).as("keyAgreement").isTrue();
        assertThat(ku[5]).as("keyCertSign").isFalse();
        assertThat(ku[6]).as("cRLSign").isFalse();
    }

    @Test
    void leaf_hasServerAndClientAuthEku() throws Exception {
        assertThat(sign(List.of(), Duration.ofHours(1)).getExtendedKeyUsage())
                .containsExactlyInAnyOrder("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2");
    }

    @Test
    void serials_arePositive128BitAndRandom() {
        Set<BigInteger> seen = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            var serial = sign(List.of(), Duration.ofHours(1)).getSerialNumber();
            assertThat(serial.signum()).isPositive();
            assertThat(serial.bitLength()).isLessThanOrEqualTo(128);
            seen.add(serial);
        }
        assertThat(seen).hasSize(20);
        assertThat(seen.stream().mapToInt(BigInteger::bitLength).max().getAsInt())
                .isGreaterThan(100);
    }

    @Test
    void leaf_hasSkiOfItsKey_andAkiOfTheCa() throws Exception {
        X509Certificate leaf = sign(List.of(), Duration.ofHours(1));
        byte[] caSki = SubjectKeyIdentifier.getInstance(
                        ASN1OctetString.getInstance(caCert.getExtensionValue(Extension.subjectKeyIdentifier.getId()))
                                .getOctets())
                .getKeyIdentifier();
        byte[] leafAki = AuthorityKeyIdentifier.getInstance(
                        ASN1OctetString.getInstance(leaf.getExtensionValue(Extension.authorityKeyIdentifier.getId()))
                                .getOctets())
                .getKeyIdentifierOctets();

        assertThat(leaf.getExtensionValue(Extension.subjectKeyIdentifier.getId()))
                .isNotNull();
        assertThat(leafAki).isEqualTo(caSki);
        leaf.verify(caCert.getPublicKey());
    }

    @Test
    void validity_isBackdated10s_andEndsAfterTtl() {
        X509Certificate leaf = sign(List.of(), Duration.ofMinutes(30));

        assertThat(leaf.getNotBefore().toInstant()).isEqualTo(T0.minusSeconds(10));
        assertThat(leaf.getNotAfter().toInstant()).isEqualTo(T0.plus(Duration.ofMinutes(30)));
    }

    @Test
    void notAfter_neverExceedsTheCas() {
        clock.advance(Duration.ofHours(23));
        X509Certificate leaf = sign(List.of(), Duration.ofHours(5));

        assertThat(leaf.getNotAfter()).isEqualTo(caCert.getNotAfter());
    }

    @Test
    void chainFromASelfSignedRoot_isTheLeafAlone() {
        assertThat(signer.sign(new SvidRequest(WEB, TestPki.keyPair().getPublic(), List.of(), Duration.ofHours(1))))
                .hasSize(1);
    }

    @Test
    void rootCa_hasCaProfile_andTrustDomainUriSan() throws Exception {
        assertThat(caCert.getBasicConstraints()).isGreaterThanOrEqualTo(0);
        boolean[] ku = caCert.getKeyUsage();
        assertThat(ku[5]).as("keyCertSign").isTrue();
        assertThat(ku[6]).as("cRLSign").isTrue();
        assertThat(ku[0]).as("digitalSignature").isFalse();
        assertThat(Certificates.spiffeId(caCert)).contains(TD.id());
        assertThat(caCert.getNotBefore().toInstant()).isEqualTo(T0.minusSeconds(10));
        caCert.verify(caCert.getPublicKey());
    }

    @Test
    void leaf_isCanonicalDer_andVerifiesWithTheCaKey_underTheChosenProvider() throws Exception {
        X509Certificate leaf = sign(List.of("web.example.org"), Duration.ofHours(1));

        // assembled from the signed TBS bytes: byte for byte what Bouncy Castle would encode
        assertThat(leaf.getEncoded()).isEqualTo(new X509CertificateHolder(leaf.getEncoded()).getEncoded());
        leaf.verify(caCert.getPublicKey());
        Signature jdk = Signature.getInstance("SHA256withECDSA");
        jdk.initVerify(caCert.getPublicKey());
        jdk.update(leaf.getTBSCertificate());
        assertThat(jdk.verify(leaf.getSignature()))
                .as("a JDK verifier accepts the provider's signature")
                .isTrue();
        assertThat(leaf.getSigAlgName()).isEqualTo("SHA256withECDSA");
    }

    @Test
    void anIntermediateCa_isFollowedByItsChain_andANewAuthorityIsPickedUpAtOnce() throws Exception {
        SigningKey interKey = new MemoryKeyManager().generate("inter");
        var interCert = new X509SvidSigner(() -> new X509Authority(caCert, caKey, List.of()), clock)
                .sign(new SvidRequest(
                        SpiffeId.parse("spiffe://example.org/inter"),
                        interKey.publicKey(),
                        List.of(),
                        Duration.ofHours(2)))
                .get(0);
        var current = new AtomicReference<>(new X509Authority(caCert, caKey, List.of()));
        X509SvidSigner rotating = new X509SvidSigner(current::get, clock);
        assertThat(rotating.sign(new SvidRequest(WEB, TestPki.keyPair().getPublic(), List.of(), Duration.ofHours(1))))
                .hasSize(1);

        current.set(new X509Authority(interCert, interKey, List.of(caCert)));
        List<X509Certificate> chain =
                rotating.sign(new SvidRequest(WEB, TestPki.keyPair().getPublic(), List.of(), Duration.ofHours(1)));

        assertThat(chain).hasSize(3);
        assertThat(chain.subList(1, 3)).containsExactly(interCert, caCert);
        assertThat(chain.get(0).getIssuerX500Principal()).isEqualTo(interCert.getSubjectX500Principal());
        chain.get(0).verify(interKey.publicKey());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "2026-03-01T12:00:00.750Z",
                "1999-12-31T23:59:59Z",
                "2049-12-31T23:59:59Z",
                "2050-01-01T00:00:00Z",
                "2126-06-15T08:30:00Z"
            })
    void validityTimes_encodeAsBouncyCastlesTimeOfADate(String instant) throws Exception {
        Instant t = Instant.parse(instant);

        assertThat(X509SvidSigner.time(t).getEncoded()).isEqualTo(new Time(Date.from(t)).getEncoded());
    }

    @Test
    void validityTimes_fromThePerSecondCache_areStillTheirOwnSecond() throws Exception {
        Instant base = Instant.parse("2026-03-01T12:00:00.250Z");
        // seconds that share and that evict cache slots, each asked for twice and at another sub-second
        for (int i = 0; i < 40; i++) {
            Instant t = base.plusSeconds(i * 3L % 17).plusMillis(i * 97L % 1000);
            for (int repeat = 0; repeat < 2; repeat++) {
                assertThat(X509SvidSigner.time(t).getEncoded())
                        .as("time %s", t)
                        .isEqualTo(new Time(Date.from(t)).getEncoded());
            }
        }
    }
}
