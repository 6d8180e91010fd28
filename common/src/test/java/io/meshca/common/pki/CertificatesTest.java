package io.meshca.common.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshca.common.error.InvalidArgumentException;
import io.meshca.common.spiffe.TrustDomain;
import io.meshca.common.testing.TestPki;
import java.io.ByteArrayOutputStream;
import java.security.cert.X509Certificate;
import java.util.List;
import org.junit.jupiter.api.Test;

class CertificatesTest {

    private static final TestPki.Authority ROOT = TestPki.root(TrustDomain.parse("example.org"));
    private static final TestPki.Authority INTERMEDIATE = ROOT.intermediate();

    @Test
    void parse_readsExactlyOneCertificate() {
        X509Certificate parsed = Certificates.parse(Certificates.der(ROOT.certificate()));

        assertThat(parsed).isEqualTo(ROOT.certificate());
    }

    @Test
    void parse_refusesSeveralNoneOrGarbage_sayingWhat() {
        byte[] two = Certificates.concatenatedDer(List.of(INTERMEDIATE.certificate(), ROOT.certificate()));

        assertThatThrownBy(() -> Certificates.parse(two))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessage("expected one DER certificate, found 2");
        assertThatThrownBy(() -> Certificates.parse(new byte[0]))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessage("expected one DER certificate, found 0");
        assertThatThrownBy(() -> Certificates.parse(new byte[] {0x30, 0x03, 1, 2, 3}))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageStartingWith("malformed DER certificate");
    }

    @Test
    void parseConcatenated_readsAChainInOrder() {
        byte[] chain = Certificates.concatenatedDer(List.of(INTERMEDIATE.certificate(), ROOT.certificate()));

        assertThat(Certificates.parseConcatenated(chain))
                .containsExactly(INTERMEDIATE.certificate(), ROOT.certificate());
    }

    @Test
    void parseConcatenated_ofNoBytes_isNoCertificates() {
        assertThat(Certificates.parseConcatenated(new byte[0])).isEmpty();
    }

    @Test
    void parseConcatenated_refusesBytesAfterTheLastCertificate() {
        ByteArrayOutputStream der = new ByteArrayOutputStream();
        der.writeBytes(Certificates.concatenatedDer(List.of(INTERMEDIATE.certificate(), ROOT.certificate())));
        der.writeBytes(new byte[] {0x30, 0x03, 1, 2, 3});

        assertThatThrownBy(() -> Certificates.parseConcatenated(der.toByteArray()))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageStartingWith("malformed DER certificate");
    }
}
