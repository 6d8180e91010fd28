package io.meshca.server.testing;

import io.meshca.common.pki.Keys;
import io.meshca.common.testing.TestPki;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Node certificates as an operator's own PKI issues them for x509pop: a root, intermediates and node
 * certificates with a chosen common name, key, key usage and validity. Unlike {@link TestPki}'s SPIFFE
 * leaves, they carry no SPIFFE ID.
 */
public final class NodeCertificates {

    private static final AtomicLong SERIAL = new AtomicLong(0x1000);

    private NodeCertificates() {}

    /** A self-signed root CA. */
    public static Ca root(String commonName, Instant notBefore, Instant notAfter) {
        KeyPair key = TestPki.keyPair();
        X500Name name = name(commonName);
        return new Ca(sign(name, key, name, key, notBefore, notAfter, true, true), key, List.of());
    }

    /** A root valid from an hour ago for a day. */
    public static Ca root(String commonName) {
        Instant now = Instant.now();
        return root(commonName, now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(1)));
    }

    /** A fresh EC key on {@code curve} ("secp256r1", "secp384r1"). */
    public static KeyPair ec(String curve) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec(curve));
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A fresh RSA key. */
    public static KeyPair rsa(int bits) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(bits);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A CA; {@code chain} is its path up to, not including, the root. */
    public record Ca(X509Certificate certificate, KeyPair key, List<X509Certificate> chain) {
        public Ca {
            chain = List.copyOf(chain);
        }

        public Ca intermediate(String commonName, Instant notBefore, Instant notAfter) {
            KeyPair subjectKey = TestPki.keyPair();
            X509Certificate cert = sign(name(commonName), subjectKey, subject(), key, notBefore, notAfter, true, true);
            List<X509Certificate> path = new ArrayList<>();
            path.add(cert);
            path.addAll(chain);
            return new Ca(cert, subjectKey, path);
        }

        public Ca intermediate(String commonName) {
            return intermediate(
                    commonName,
                    certificate.getNotBefore().toInstant(),
                    certificate.getNotAfter().toInstant());
        }

        /**
         * A node certificate for {@code subjectKey}.
         *
         * @param digitalSignature whether its key usage has digitalSignature (else only keyEncipherment)
         */
        public Node node(
                String commonName, KeyPair subjectKey, Instant notBefore, Instant notAfter, boolean digitalSignature) {
            X509Certificate cert =
                    sign(name(commonName), subjectKey, subject(), key, notBefore, notAfter, false, digitalSignature);
            List<X509Certificate> path = new ArrayList<>();
            path.add(cert);
            path.addAll(chain);
            return new Node(subjectKey, path);
        }

        /** A node certificate with an EC P-256 key, valid as long as this CA. */
        public Node node(String commonName) {
            return node(
                    commonName,
                    TestPki.keyPair(),
                    certificate.getNotBefore().toInstant(),
                    certificate.getNotAfter().toInstant(),
                    true);
        }

        private X500Name subject() {
            return X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded());
        }
    }

    /** A node's key and certificate chain: its certificate first, then the intermediates, without the root. */
    public record Node(KeyPair key, List<X509Certificate> chain) {
        public Node {
            chain = List.copyOf(chain);
        }

        public X509Certificate certificate() {
            return chain.get(0);
        }
    }

    /** O=meshca tests, and CN={@code commonName} unless it is empty. */
    private static X500Name name(String commonName) {
        X500NameBuilder name = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, "meshca tests");
        if (!commonName.isEmpty()) {
            name.addRDN(BCStyle.CN, commonName);
        }
        return name.build();
    }

    private static X509Certificate sign(
            X500Name subject,
            KeyPair subjectKey,
            X500Name issuer,
            KeyPair issuerKey,
            Instant notBefore,
            Instant notAfter,
            boolean ca,
            boolean digitalSignature) {
        try {
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                    issuer,
                    BigInteger.valueOf(SERIAL.incrementAndGet()),
                    Date.from(notBefore),
                    Date.from(notAfter),
                    subject,
                    subjectKey.getPublic());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
            int usage = ca
                    ? KeyUsage.keyCertSign | KeyUsage.cRLSign
                    : (digitalSignature ? KeyUsage.digitalSignature : 0) | KeyUsage.keyEncipherment;
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(usage));
            var signer = new JcaContentSignerBuilder(Keys.signatureAlgorithm(issuerKey.getPrivate()))
                    .build(issuerKey.getPrivate());
            return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
        } catch (GeneralSecurityException | OperatorCreationException | CertIOException e) {
            throw new IllegalStateException("cannot issue a test node certificate", e);
        }
    }
}
