package io.meshca.common.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshca.common.error.InvalidArgumentException;
import java.security.KeyPair;
import java.security.PrivateKey;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;
import org.junit.jupiter.api.Test;

class PemTest {

    private static final KeyPair KEY = Keys.generateEcP256();

    @Test
    void privateKey_roundTripsAsPkcs8() {
        String pem = Pem.encodePrivateKey(KEY.getPrivate());
        assertThat(pem).startsWith("-----BEGIN PRIVATE KEY-----");
        PrivateKey decoded = Pem.decodePrivateKey(pem);
        assertThat(decoded.getEncoded()).isEqualTo(KEY.getPrivate().getEncoded());
    }

    @Test
    void csr_isSignedByItsKey_andRoundTripsThroughPem() throws Exception {
        byte[] der = Csrs.create(KEY);
        byte[] decoded = Pem.decodeCsr(Pem.encodeCsr(der));
        PKCS10CertificationRequest csr = new JcaPKCS10CertificationRequest(decoded);
        assertThat(csr.isSignatureValid(new JcaContentVerifierProviderBuilder().build(KEY.getPublic())))
                .isTrue();
        assertThat(((JcaPKCS10CertificationRequest) csr).getPublicKey()).isEqualTo(KEY.getPublic());
    }

    @Test
    void textWithoutCertificates_isRejected() {
        assertThatThrownBy(() -> Pem.decodeCertificates("hello"))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("no PEM CERTIFICATE block");
    }

    @Test
    void twoKeys_areRejected() {
        String two = Pem.encodePrivateKey(KEY.getPrivate()) + Pem.encodePrivateKey(KEY.getPrivate());
        assertThatThrownBy(() -> Pem.decodePrivateKey(two)).hasMessageContaining("found 2");
    }

    @Test
    void garbageDer_isRejectedAsMalformed() {
        assertThatThrownBy(() -> Certificates.parse(new byte[] {0x30, 0x03, 0x01, 0x02}))
                .isInstanceOf(InvalidArgumentException.class);
    }
}
