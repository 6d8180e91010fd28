package io.meshca.samples.bench;

import io.meshca.common.pki.KeyIdentifiers;
import io.meshca.common.pki.Keys;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Objects;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throwaway corporate root CA (certificate and EC P-256 key) that the rotation bench hands the server's
 * {@code disk} upstream authority, as an operator would hand it the company's PKI. It lives as long as
 * the bench's temporary directory; nothing outside the bench trusts it.
 */
record CorporateRoot(X509Certificate certificate, KeyPair keyPair) {

    private static final SecureRandom RANDOM = new SecureRandom();

    CorporateRoot {
        Objects.requireNonNull(certificate, "certificate");
        Objects.requireNonNull(keyPair, "keyPair");
    }

    /**
     * A self-signed CA that may sign CAs (no path length limit), valid from a minute ago for {@code ttl}.
     *
     * @param commonName its subject's CN, e.g. "meshca bench root 2"
     */
    static CorporateRoot generate(String commonName, Instant now, Duration ttl) {
        KeyPair key = Keys.generateEcP256();
        X500Name name = new X500Name("O=meshca bench,CN=" + commonName);
        try {
            JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
            JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                    name,
                    new BigInteger(127, RANDOM),
                    Date.from(now.minus(Duration.ofMinutes(1))),
                    Date.from(now.plus(ttl)),
                    name,
                    key.getPublic());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            builder.addExtension(
                    Extension.subjectKeyIdentifier, false, extensions.createSubjectKeyIdentifier(key.getPublic()));
            X509Certificate certificate = new JcaX509CertificateConverter()
                    .getCertificate(
                            builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate())));
            return new CorporateRoot(certificate, key);
        } catch (GeneralSecurityException | CertIOException | OperatorCreationException e) {
            throw new IllegalStateException("cannot make the bench's root CA: " + e.getMessage(), e);
        }
    }

    /** What the server's UpstreamAuthority service names it by: its subject key identifier, lowercase hex. */
    String subjectKeyId() {
        return KeyIdentifiers.authorityId(certificate);
    }

    String subject() {
        return certificate.getSubjectX500Principal().getName();
    }
}
