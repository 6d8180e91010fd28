package io.meshca.server.ca.keys.pkcs11;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshca.common.pki.Certificates;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.common.spiffe.TrustDomain;
import io.meshca.common.testing.FakeClock;
import io.meshca.common.testing.TestPki;
import io.meshca.server.ca.keys.SigningKey;
import io.meshca.server.ca.keys.pkcs11.SoftHsm.Token;
import io.meshca.server.ca.signing.RootCaFactory;
import io.meshca.server.ca.signing.SvidRequest;
import io.meshca.server.ca.signing.X509Authority;
import io.meshca.server.ca.signing.X509SvidSigner;
import java.nio.file.Path;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXCertPathValidatorResult;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A CA whose key is on the token signs X509-SVIDs that verify, through the server's one signing path. */
class Pkcs11X509SigningTest {

    private static final TrustDomain TD = TrustDomain.parse("example.org");
    private static final SpiffeId WEB = SpiffeId.parse("spiffe://example.org/web");

    @TempDir
    Path dir;

    private final FakeClock clock = new FakeClock(Instant.parse("2026-03-01T12:00:00Z"));
    private Pkcs11KeyManager km;

    @BeforeEach
    void emptyToken() {
        SoftHsm hsm = SoftHsm.get();
        hsm.wipe(Token.X509);
        km = Pkcs11KeyManager.open(hsm.config(Token.X509, SoftHsm.pinFile(dir, SoftHsm.PIN)));
    }

    @Test
    void svidsSignedWithATokenKey_validateUpToTheRootItSigned() throws Exception {
        SigningKey caKey = km.generate("x509-ca");
        X509Certificate root = RootCaFactory.selfSigned(TD, caKey, Duration.ofDays(1), clock);
        X509SvidSigner signer = new X509SvidSigner(() -> new X509Authority(root, caKey, List.of()), clock);

        X509Certificate leaf = signer.sign(
                        new SvidRequest(WEB, TestPki.keyPair().getPublic(), List.of("web"), Duration.ofHours(1)))
                .get(0);

        root.verify(caKey.publicKey());
        assertThat(root.getPublicKey().getEncoded()).isEqualTo(caKey.publicKey().getEncoded());
        assertThat(Certificates.spiffeId(leaf)).contains(WEB);
        assertThat(validate(leaf, root).getTrustAnchor().getTrustedCert()).isEqualTo(root);
    }

    @Test
    void afterARestart_theSameRootKeepsSigning() throws Exception {
        SigningKey caKey = km.generate("x509-ca");
        X509Certificate root = RootCaFactory.selfSigned(TD, caKey, Duration.ofDays(1), clock);

        SigningKey reloaded = Pkcs11KeyManager.open(SoftHsm.get().config(Token.X509, SoftHsm.pinFile(dir, SoftHsm.PIN)))
                .get("x509-ca")
                .orElseThrow();
        X509SvidSigner signer = new X509SvidSigner(() -> new X509Authority(root, reloaded, List.of()), clock);
        X509Certificate leaf = signer.sign(
                        new SvidRequest(WEB, TestPki.keyPair().getPublic(), List.of(), Duration.ofHours(1)))
                .get(0);

        leaf.verify(root.getPublicKey());
        assertThat(validate(leaf, root)).isNotNull();
    }

    private PKIXCertPathValidatorResult validate(X509Certificate leaf, X509Certificate root) throws Exception {
        PKIXParameters parameters = new PKIXParameters(Set.of(new TrustAnchor(root, null)));
        parameters.setRevocationEnabled(false);
        parameters.setDate(Date.from(clock.instant()));
        return (PKIXCertPathValidatorResult) CertPathValidator.getInstance("PKIX")
                .validate(CertificateFactory.getInstance("X.509").generateCertPath(List.of(leaf)), parameters);
    }
}
