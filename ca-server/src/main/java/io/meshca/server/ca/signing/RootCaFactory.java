package io.meshca.server.ca.signing;

import io.meshca.common.spiffe.TrustDomain;
import io.meshca.server.ca.keys.SigningKey;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;

/**
 * Self-signed root CA certificates (what the {@code none} upstream authority mints): CA=true, keyUsage
 * keyCertSign + cRLSign, URI SAN = the trust domain ID (no path), random serial, SKI/AKI, NotBefore
 * backdated 10 s.
 */
public final class RootCaFactory {

    private RootCaFactory() {}

    public static X509Certificate selfSigned(TrustDomain domain, SigningKey key, Duration ttl, Clock clock) {
        Instant now = clock.instant();
        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE)
                .addRDN(BCStyle.O, "meshca")
                .addRDN(BCStyle.CN, domain.name() + " root " + now.getEpochSecond())
                .build();
        try {
            JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                    subject,
                    X509SvidSigner.serial(),
                    Date.from(now.minus(X509SvidSigner.BACKDATE)),
                    Date.from(now.plus(ttl)),
                    subject,
                    key.publicKey());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            builder.addExtension(
                    Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(key.publicKey()));
            builder.addExtension(
                    Extension.authorityKeyIdentifier, false, utils.createAuthorityKeyIdentifier(key.publicKey()));
            builder.addExtension(
                    Extension.subjectAlternativeName,
                    false,
                    new GeneralNames(new GeneralName(
                            GeneralName.uniformResourceIdentifier, domain.id().toString())));
            return new JcaX509CertificateConverter().getCertificate(builder.build(new KeyContentSigner(key)));
        } catch (GeneralSecurityException | CertIOException e) {
            throw new IllegalStateException("cannot create the root CA certificate", e);
        }
    }
}
