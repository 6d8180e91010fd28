package io.meshca.server.ca.keys.pkcs11;

import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Date;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The self-signed certificate stored with each private key on the token. SunPKCS11's KeyStore lists a
 * private key only when a certificate with the same CKA_ID sits beside it, and the certificate's label
 * is the alias; the certificate also carries the public key, which the token would otherwise have to
 * keep as a second object. It is never used to verify anything: its subject marks the key as this key
 * manager's ({@code O=meshca, OU=pkcs11 key manager, CN=<id>}), and its validity is fixed, so it
 * depends on no clock.
 */
final class PlaceholderCertificate {

    private static final Date NOT_BEFORE = Date.from(Instant.parse("2000-01-01T00:00:00Z"));
    /** RFC 5280 4.1.2.5: 99991231235959Z means "no well-defined expiration date". */
    private static final Date NOT_AFTER = Date.from(Instant.parse("9999-12-31T23:59:59Z"));

    private static final SecureRandom RANDOM = new SecureRandom();

    private PlaceholderCertificate() {}

    /**
     * A certificate for {@code pair}, signed on the token by its own private key — so a key that cannot
     * sign, or signs wrongly, fails here rather than when the CA first uses it.
     */
    static X509Certificate create(String id, KeyPair pair, String signatureAlgorithm, Provider provider)
            throws GeneralSecurityException {
        X500Name subject = subject(id);
        try {
            return new JcaX509CertificateConverter()
                    .getCertificate(new JcaX509v3CertificateBuilder(
                                    subject,
                                    new BigInteger(63, RANDOM).add(BigInteger.ONE),
                                    NOT_BEFORE,
                                    NOT_AFTER,
                                    subject,
                                    pair.getPublic())
                            .build(new JcaContentSignerBuilder(signatureAlgorithm)
                                    .setProvider(provider)
                                    .build(pair.getPrivate())));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException("cannot sign the placeholder certificate of key " + id, e);
        }
    }

    /** True if {@code certificate} is the placeholder of key {@code id} (not some other object on the token). */
    static boolean isFor(Certificate certificate, String id) {
        if (!(certificate instanceof X509Certificate x509)) {
            return false;
        }
        try {
            return x509.getSubjectX500Principal()
                    .equals(new X500Principal(subject(id).getEncoded()));
        } catch (IOException e) {
            return false;
        }
    }

    private static X500Name subject(String id) {
        return new X500NameBuilder(BCStyle.INSTANCE)
                .addRDN(BCStyle.O, "meshca")
                .addRDN(BCStyle.OU, "pkcs11 key manager")
                .addRDN(BCStyle.CN, id)
                .build();
    }
}
