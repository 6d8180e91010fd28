package io.meshca.common.pki;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshca.common.spiffe.SpiffeId;
import io.meshca.common.spiffe.TrustDomain;
import io.meshca.common.testing.TestPki;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Date;
import java.util.HexFormat;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;

class KeyIdentifiersTest {

    private static final TestPki.Authority ROOT = TestPki.root(TrustDomain.parse("example.org"));
    private static final TestPki.Authority INTERMEDIATE = ROOT.intermediate();

    @Test
    void subjectKeyId_isTheLowercaseHexOfTheExtension_theSha1OfTheKey() throws Exception {
        String expected = sha1Hex(ROOT.keyPair().getPublic());

        assertThat(KeyIdentifiers.subjectKeyId(ROOT.certificate())).contains(expected);
        assertThat(expected).matches("[0-9a-f]{40}");
    }

    @Test
    void authorityKeyId_namesTheIssuersSubjectKeyId_downTheChain() {
        X509Certificate leaf =
                INTERMEDIATE.leaf(SpiffeId.parse("spiffe://example.org/web")).certificate();

        assertThat(KeyIdentifiers.authorityKeyId(leaf))
                .isEqualTo(KeyIdentifiers.subjectKeyId(INTERMEDIATE.certificate()));
        assertThat(KeyIdentifiers.authorityKeyId(INTERMEDIATE.certificate()))
                .isEqualTo(KeyIdentifiers.subjectKeyId(ROOT.certificate()));
        assertThat(KeyIdentifiers.subjectKeyId(leaf)).isNotEqualTo(KeyIdentifiers.authorityKeyId(leaf));
    }

    @Test
    void certificateWithoutKeyIdentifiers_hasNone() throws Exception {
        KeyPair key = TestPki.keyPair();
        X500Name name = new X500Name("CN=bare");
        Instant now = Instant.now();
        X509Certificate bare = new JcaX509CertificateConverter()
                .getCertificate(new JcaX509v3CertificateBuilder(
                                name,
                                BigInteger.ONE,
                                Date.from(now.minusSeconds(60)),
                                Date.from(now.plusSeconds(60)),
                                name,
                                key.getPublic())
                        .build(new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate())));

        assertThat(KeyIdentifiers.subjectKeyId(bare)).isEmpty();
        assertThat(KeyIdentifiers.authorityKeyId(bare)).isEmpty();
    }

    private static String sha1Hex(PublicKey key) throws Exception {
        byte[] keyBits = SubjectPublicKeyInfo.getInstance(key.getEncoded())
                .getPublicKeyData()
                .getBytes();
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(keyBits));
    }
}
