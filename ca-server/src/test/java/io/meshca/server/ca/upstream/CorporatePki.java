package io.meshca.server.ca.upstream;

import io.meshca.common.pki.Pem;
import io.meshca.common.testing.TestPki;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.DERBitString;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A corporate PKI for the {@code disk} upstream authority's tests: roots and issuing CAs as an
 * enterprise CA makes them (no SPIFFE names), with explicit validity, key type and CA extensions, and
 * their PEM files as an operator would hand them over.
 */
final class CorporatePki {

    /** Who may sign what: the extensions that make (or fail to make) a CA. */
    record Profile(BasicConstraints basicConstraints, int keyUsage) {
        static final Profile CA = new Profile(new BasicConstraints(true), KeyUsage.keyCertSign | KeyUsage.cRLSign);

        static Profile caWithPathLen(int pathLen) {
            return new Profile(new BasicConstraints(pathLen), KeyUsage.keyCertSign | KeyUsage.cRLSign);
        }
    }

    /** A CA of the corporate PKI: its certificate and key. */
    record Ca(X509Certificate certificate, KeyPair keyPair) {

        /** An issuing CA under this one, valid as given, with an EC P-256 key. */
        Ca issuingCa(String name, Instant notBefore, Instant notAfter) {
            return issue(name, TestPki.keyPair(), Profile.CA, notBefore, notAfter);
        }

        Ca issue(String name, KeyPair subjectKey, Profile profile, Instant notBefore, Instant notAfter) {
            return new Ca(build(name, subjectKey, this, profile, notBefore, notAfter), subjectKey);
        }
    }

    private static final AtomicLong SERIAL = new AtomicLong(5000);
    private static KeyPair rsa;
    private static KeyPair p384;

    private CorporatePki() {}

    static Ca root(String name, Instant notBefore, Instant notAfter) {
        return root(name, TestPki.keyPair(), notBefore, notAfter);
    }

    static Ca root(String name, KeyPair key, Instant notBefore, Instant notAfter) {
        return new Ca(build(name, key, null, Profile.CA, notBefore, notAfter), key);
    }

    /** One RSA 2048 key per JVM: generating it is slow. */
    static synchronized KeyPair rsaKey() {
        if (rsa == null) {
            rsa = generate("RSA", null);
        }
        return rsa;
    }

    static synchronized KeyPair p384Key() {
        if (p384 == null) {
            p384 = generate("EC", new ECGenParameterSpec("secp384r1"));
        }
        return p384;
    }

    static Path writeCertificates(Path file, X509Certificate... certificates) {
        return write(file, Pem.encodeCertificates(List.of(certificates)));
    }

    /** PKCS#8: {@code -----BEGIN PRIVATE KEY-----}. */
    static Path writePkcs8Key(Path file, KeyPair key) {
        return write(file, Pem.encodePrivateKey(key.getPrivate()));
    }

    /**
     * OpenSSL's traditional form: {@code -----BEGIN EC PRIVATE KEY-----} (RFC 5915, with the curve and the
     * public key, as {@code openssl ecparam -genkey} writes it) or {@code -----BEGIN RSA PRIVATE KEY-----}.
     */
    static Path writeTraditionalKey(Path file, KeyPair key) {
        if (key.getPrivate() instanceof ECKey ec) {
            // The JDK's PKCS#8 keeps the curve outside the inner structure, so it is rebuilt here
            try {
                PrivateKeyInfo info =
                        PrivateKeyInfo.getInstance(key.getPrivate().getEncoded());
                byte[] publicKey = SubjectPublicKeyInfo.getInstance(
                                key.getPublic().getEncoded())
                        .getPublicKeyData()
                        .getBytes();
                ECPrivateKey structure = new ECPrivateKey(
                        ec.getParams().getOrder().bitLength(),
                        ECPrivateKey.getInstance(info.parsePrivateKey()).getKey(),
                        new DERBitString(publicKey),
                        info.getPrivateKeyAlgorithm().getParameters());
                return write(file, Pem.encode("EC PRIVATE KEY", structure.getEncoded()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            writer.writeObject(key);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return write(file, text.toString());
    }

    static Path write(Path file, String text) {
        try {
            return Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static X509Certificate build(
            String name, KeyPair subjectKey, Ca issuer, Profile profile, Instant notBefore, Instant notAfter) {
        // O first in the encoding: the JDK prints names last RDN first, so this reads "CN=..., O=..."
        X500Name subject = new X500Name("O=Example Corp,CN=" + name);
        KeyPair signingKey = issuer == null ? subjectKey : issuer.keyPair();
        try {
            JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                    issuer == null
                            ? subject
                            : X500Name.getInstance(issuer.certificate()
                                    .getSubjectX500Principal()
                                    .getEncoded()),
                    BigInteger.valueOf(SERIAL.incrementAndGet()),
                    Date.from(notBefore),
                    Date.from(notAfter),
                    subject,
                    subjectKey.getPublic());
            builder.addExtension(
                    Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(subjectKey.getPublic()));
            builder.addExtension(
                    Extension.authorityKeyIdentifier,
                    false,
                    issuer == null
                            ? utils.createAuthorityKeyIdentifier(subjectKey.getPublic())
                            : utils.createAuthorityKeyIdentifier(issuer.certificate()));
            if (profile.basicConstraints() != null) {
                builder.addExtension(Extension.basicConstraints, true, profile.basicConstraints());
            }
            if (profile.keyUsage() != 0) {
                builder.addExtension(Extension.keyUsage, true, new KeyUsage(profile.keyUsage()));
            }
            String algorithm =
                    signingKey.getPrivate().getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
            return new JcaX509CertificateConverter()
                    .getCertificate(
                            builder.build(new JcaContentSignerBuilder(algorithm).build(signingKey.getPrivate())));
        } catch (Exception e) {
            throw new IllegalStateException("corporate test PKI cannot sign", e);
        }
    }

    private static KeyPair generate(String algorithm, ECGenParameterSpec spec) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
            if (spec != null) {
                generator.initialize(spec);
            } else {
                generator.initialize(2048);
            }
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
