package io.meshca.server.ca.signing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshca.common.error.InvalidArgumentException;
import io.meshca.common.pki.Certificates;
import io.meshca.common.pki.Csrs;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.common.spiffe.TrustDomain;
import io.meshca.common.testing.FakeClock;
import io.meshca.common.testing.TestPki;
import io.meshca.server.ca.keys.MemoryKeyManager;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CsrParserTest {

    private final KeyPair key = TestPki.keyPair();

    @Test
    void plainCsr_yieldsItsPublicKey() {
        assertThat(CsrParser.publicKey(Csrs.create(key))).isEqualTo(key.getPublic());
    }

    @Test
    void csrAskingForCa_isRejected() {
        byte[] csr = io.meshca.server.testing.Csrs.withExtensions(key, "CN=evil", true, null);

        assertThatThrownBy(() -> CsrParser.publicKey(csr))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessage(CsrParser.ASKS_FOR_CA);
    }

    @Test
    void csrWithForeignIdentity_contributesOnlyItsKey() {
        byte[] csr = io.meshca.server.testing.Csrs.withExtensions(key, "CN=admin", false, "spiffe://example.org/admin");

        assertThat(CsrParser.publicKey(csr)).isEqualTo(key.getPublic());
    }

    @Test
    void malformedCsr_isRejected() {
        assertThatThrownBy(() -> CsrParser.publicKey(new byte[] {0x30, 0x03, 0x01, 0x02, 0x03}))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessage(CsrParser.MALFORMED);
        assertThatThrownBy(() -> CsrParser.publicKey(new byte[0])).hasMessage("CSR is empty");
    }

    @Test
    void csrWithBrokenSignature_isRejected() {
        byte[] csr = Csrs.create(key);
        csr[csr.length - 5] ^= 0x01;

        assertThatThrownBy(() -> CsrParser.publicKey(csr))
                .isInstanceOf(InvalidArgumentException.class)
                .satisfies(e -> assertThat(e.getMessage()).isIn(CsrParser.BAD_SIGNATURE, CsrParser.MALFORMED));
    }

    @ParameterizedTest
    @CsvSource({
        "secp256r1, ",
        "secp384r1, ",
        "secp521r1, ",
        "secp256k1, 'CSR key is an EC key on curve secp256k1; only the named curves P-256, P-384 and P-521 are accepted'",
        "secp224r1, 'CSR key is an EC key on curve secp224r1; only the named curves P-256, P-384 and P-521 are accepted'",
    })
    void ecKeys_onlyOnTheNistCurvesTlsPeersSupport(String curve, String refusal) throws Exception {
        var bc = new BouncyCastleProvider();
        var generator = KeyPairGenerator.getInstance("EC", bc);
        generator.initialize(new ECGenParameterSpec(curve));
        KeyPair pair = generator.generateKeyPair();
        byte[] csr = new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=x"), pair.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withECDSA")
                        .setProvider(bc)
                        .build(pair.getPrivate()))
                .getEncoded();

        if (refusal == null) {
            assertThat(CsrParser.verify(csr).subjectPublicKeyInfo().getEncoded())
                    .isEqualTo(pair.getPublic().getEncoded());
        } else {
            assertThatThrownBy(() -> CsrParser.publicKey(csr))
                    .isInstanceOf(InvalidArgumentException.class)
                    .hasMessage(refusal);
        }
    }

    @Test
    void oversizedCsr_isRejected() {
        assertThatThrownBy(() -> CsrParser.publicKey(new byte[CsrParser.MAX_CSR_BYTES + 1]))
                .hasMessageContaining("larger than");
    }

    @Test
    void issuedCertForForeignCsr_carriesOnlyTheEntryIdentity() throws Exception {
        var clock = new FakeClock(Instant.parse("2026-03-01T12:00:00Z"));
        var caKey = new MemoryKeyManager().generate("ca");
        var td = TrustDomain.parse("example.org");
        var caCert = RootCaFactory.selfSigned(td, caKey, Duration.ofHours(24), clock);
        var signer = new X509SvidSigner(() -> new X509Authority(caCert, caKey, List.of()), clock);
        byte[] csr = io.meshca.server.testing.Csrs.withExtensions(key, "CN=admin", false, "spiffe://example.org/admin");

        var leaf = signer.sign(new SvidRequest(
                        SpiffeId.parse("spiffe://example.org/web"),
                        CsrParser.publicKey(csr),
                        List.of(),
                        Duration.ofHours(1)))
                .get(0);

        assertThat(leaf.getSubjectAlternativeNames()).hasSize(1);
        assertThat(Certificates.spiffeId(leaf).orElseThrow().toString()).isEqualTo("spiffe://example.org/web");
        assertThat(leaf.getSubjectX500Principal().getName()).doesNotContain("admin");
        assertThat(leaf.getBasicConstraints()).isEqualTo(-1);
    }

    @Test
    void csrSignedWithSha384_isVerified_too() throws Exception {
        var request = new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=x"), key.getPublic())
                .build(new JcaContentSignerBuilder("SHA384withECDSA").build(key.getPrivate()))
                .getEncoded();

        assertThat(CsrParser.publicKey(request)).isEqualTo(key.getPublic());
    }

    @Test
    void csrWithTrailingBytes_orAnotherKeysSignature_isRejected() {
        byte[] csr = Csrs.create(key);
        byte[] longer = Arrays.copyOf(csr, csr.length + 2);
        assertThatThrownBy(() -> CsrParser.publicKey(longer)).isInstanceOf(InvalidArgumentException.class);

        // the request info of one key with the signature of another: no proof of possession
        byte[] other = Csrs.create(TestPki.keyPair());
        int[] info = Der.firstElementOfSequence(csr);
        int[] otherInfo = Der.firstElementOfSequence(other);
        assertThat(info).isNotNull();
        // P-256 keys with empty subjects: request infos of equal length, so they can be swapped
        assertThat(info[1]).isEqualTo(otherInfo[1]);
        byte[] spliced = other.clone();
        System.arraycopy(csr, info[0], spliced, otherInfo[0], info[1]);
        assertThatThrownBy(() -> CsrParser.publicKey(spliced))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessage(CsrParser.BAD_SIGNATURE);
    }
}
