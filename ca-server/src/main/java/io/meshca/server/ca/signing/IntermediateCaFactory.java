package io.meshca.server.ca.signing;

import io.meshca.common.spiffe.TrustDomain;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.time.Instant;
import java.util.Date;
import java.util.HexFormat;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Intermediate CA certificates for the trust domain's CA key, signed by an upstream CA whose key this
 * process holds (what the {@code disk} upstream authority mints): CA=true with pathLen 0 (the CA signs
 * only leaves), keyUsage critical keyCertSign + cRLSign, URI SAN = the trust domain ID (no path), a
 * random serial, SKI, and AKI = the issuer's SKI.
 */
public final class IntermediateCaFactory {

    /** X.520's upper bound on a common name. */
    private static final int MAX_COMMON_NAME = 64;

    private IntermediateCaFactory() {}

    /**
     * Certifies {@code subjectKey} for the given validity, signed by {@code issuerKey}; the caller
     * chooses the validity (and caps it at the issuer's).
     *
     * @throws IllegalArgumentException if the issuer's key is neither EC nor RSA
     */
    public static X509Certificate issue(
            TrustDomain domain,
            PublicKey subjectKey,
            X509Certificate issuer,
            PrivateKey issuerKey,
            Instant notBefore,
            Instant notAfter) {
        try {
            JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            SubjectKeyIdentifier ski = utils.createSubjectKeyIdentifier(subjectKey);
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                    issuer,
                    X509SvidSigner.serial(),
                    Date.from(notBefore),
                    Date.from(notAfter),
                    subject(domain, ski),
                    subjectKey);
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            builder.addExtension(Extension.subjectKeyIdentifier, false, ski);
            builder.addExtension(Extension.authorityKeyIdentifier, false, utils.createAuthorityKeyIdentifier(issuer));
            builder.addExtension(
                    Extension.subjectAlternativeName,
                    false,
                    new GeneralNames(new GeneralName(
                            GeneralName.uniformResourceIdentifier, domain.id().toString())));
            var signer = new JcaContentSignerBuilder(signatureAlgorithm(issuerKey)).build(issuerKey);
            return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
        } catch (GeneralSecurityException | CertIOException | OperatorCreationException e) {
            throw new IllegalStateException("cannot create the intermediate CA certificate", e);
        }
    }

    /**
     * The signature algorithm that matches an upstream key: ECDSA with the hash of the curve's strength
     * (P-256: SHA-256, P-384: SHA-384, P-521: SHA-512), SHA256withRSA for RSA.
     *
     * @throws IllegalArgumentException for any other kind of key
     */
    public static String signatureAlgorithm(PrivateKey key) {
        if (key instanceof ECPrivateKey ec) {
            int bits = ec.getParams().getCurve().getField().getFieldSize();
            return bits > 384 ? "SHA512withECDSA" : bits > 256 ? "SHA384withECDSA" : "SHA256withECDSA";
        }
        if ("RSA".equals(key.getAlgorithm())) {
            return "SHA256withRSA";
        }
        throw new IllegalArgumentException("unsupported key algorithm " + key.getAlgorithm() + " (EC or RSA only)");
    }

    /**
     * O=meshca, CN={@code <td> intermediate <first 8 bytes of the SKI>}: the key id tells one CA of the
     * trust domain from the next when both are in a chain or a log. The trust domain part is shortened if
     * the whole would pass the common name's bound; the URI SAN, not the CN, names the trust domain.
     */
    private static X500Name subject(TrustDomain domain, SubjectKeyIdentifier ski) {
        String suffix = " intermediate "
                + HexFormat.of().formatHex(ski.getKeyIdentifier(), 0, Math.min(8, ski.getKeyIdentifier().length));
        String name = domain.name();
        if (name.length() + suffix.length() > MAX_COMMON_NAME) {
            name = name.substring(0, MAX_COMMON_NAME - suffix.length());
        }
        return new X500NameBuilder(BCStyle.INSTANCE)
                .addRDN(BCStyle.O, "meshca")
                .addRDN(BCStyle.CN, name + suffix)
                .build();
    }
}
