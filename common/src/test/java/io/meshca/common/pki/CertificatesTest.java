package io.meshca.common.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshca.common.error.InvalidArgumentException;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.common.spiffe.TrustDomain;
import io.meshca.common.testing.TestPki;
import java.io.ByteArrayOutputStream;
import java.security.cert.X509Certificate;
import java.util.List;
import org.junit.jupiter.api.Test;

class CertificatesTest {

    private static final TestPki.Authority ROOT = TestPki.root(TrustDomain.parse("example.org"));
    private static final List<X509Certificate> CHAIN =
            ROOT.intermediate().leaf(SpiffeId.parse("spiffe://example.org/web")).chain();

    @Test
    void concatenatedDer_parsesEveryCertificate_inOrder() {
        byte[] der = Certificates.concatenatedDer(CHAIN);

        assertThat(Certificates.parseConcatenated(der)).containsExactlyElementsOf(CHAIN);
    }

    @Test
    void noBytes_areNoCertificates() {
        assertThat(Certificates.parseConcatenated(new byte[0])).isEmpty();
    }

    @Test
    void bytesAfterTheLastCertificate_areRejectedAsMalformed() {
        ByteArrayOutputStream der = new ByteArrayOutputStream();
        der.writeBytes(Certificates.concatenatedDer(CHAIN));
        der.writeBytes(new byte[] {0x30, 0x03, 0x01, 0x02});

        assertThatThrownBy(() -> Certificates.parseConcatenated(der.toByteArray()))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageStartingWith("malformed DER certificate");
    }

    @Test
    void parse_wantsExactlyOneCertificate() {
        assertThat(Certificates.parse(Certificates.der(CHAIN.get(0)))).isEqualTo(CHAIN.get(0));
        assertThatThrownBy(() -> Certificates.parse(Certificates.concatenatedDer(CHAIN)))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessage("expected one DER certificate, found 2");
    }
}
