package io.meshca.common.testing;

import io.meshca.common.pki.Keys;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.common.spiffe.TrustDomain;
import io.meshca.common.tls.TlsIdentity;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A small PKI for tests, in the spirit of Netty's {@code pkitesting}: roots, intermediates and SPIFFE
 * leaves with explicit validity, signed with keys from a pool generated once per JVM (so a test run
 * does not pay for key generation per certificate).
 *
 * <pre>{@code
 * TestPki.Authority root = TestPki.root(TrustDomain.parse("example.org"));
 * TestPki.Authority intermediate = root.intermediate();
 * TestPki.Leaf leaf = intermediate.leaf(SpiffeId.parse("spiffe://example.org/web"));
 * leaf.identity();        // key + chain (leaf, intermediate) for an SvidKeyManager
 * root.certificate();     // the trust anchor for a SpiffeTrustManager
 * }</pre>
 */
public final class TestPki {

    /** Default validity: from an hour ago to a day ahead, so handshakes on the system clock succeed. */
    public static final Duration DEFAULT_BACKDATE = Duration.ofHours(1);

    public static final Duration DEFAULT_LIFETIME = Duration.ofDays(1);

    private static final int POOL_SIZE = 32;
    private static final List<KeyPair> POOL = new ArrayList<>();
    private static final AtomicInteger NEXT_KEY = new AtomicInteger();
    private static final AtomicLong SERIAL = new AtomicLong(1000);

    private TestPki() {}

    /** The next key pair of the pre-generated pool (EC P-256); distinct for {@value #POOL_SIZE} calls in a row. */
    public static synchronized KeyPair keyPair() {
        if (POOL.isEmpty()) {
            for (int i = 0; i < POOL_SIZE; i++) {
                POOL.add(Keys.generateEcP256());
            }
        }
        return POOL.get(Math.floorMod(NEXT_KEY.getAndIncrement(), POOL_SIZE));
    }

    public static Authority root(TrustDomain domain) {
        Instant now = Instant.now();
        return root(domain, now.minus(DEFAULT_BACKDATE), now.plus(DEFAULT_LIFETIME));
    }

    /** A self-signed root CA whose URI SAN is the trust domain ID (as SPIFFE CA certificates have). */
    public static Authority root(TrustDomain domain, Instant notBefore, Instant notAfter) {
        KeyPair key = keyPair();
        X500Name name = new X500Name("CN=test root " + SERIAL.get() + ",O=" + domain.name());
        X509Certificate cert = sign(name, key, name, key, notBefore, notAfter, null, caExtensions(domain.id()));
        return new Authority(domain, cert, key, List.of(), cert);
    }

    /** A certificate profile: what to put in the certificate besides subject, key and validity. */
    public record Profile(boolean ca, SpiffeId uriSan, List<String> dnsNames) {
        public Profile {
            dnsNames = List.copyOf(dnsNames);
        }
    }

    private static Profile caExtensions(SpiffeId domainId) {
        return new Profile(true, domainId, List.of());
    }

    /** A CA that issues intermediates and leaves; {@code chain} is its path up to, not including, the root. */
    public record Authority(
            TrustDomain domain,
            X509Certificate certificate,
            KeyPair keyPair,
            List<X509Certificate> chain,
            X509Certificate root) {

        public Authority {
            chain = List.copyOf(chain);
        }

        public Authority intermediate() {
            Instant now = Instant.now();
            return intermediate(now.minus(DEFAULT_BACKDATE), now.plus(DEFAULT_LIFETIME));
        }

        public Authority intermediate(Instant notBefore, Instant notAfter) {
            // qualified: inside this record, a bare keyPair() is the issuer's own key accessor
            KeyPair key = TestPki.keyPair();
            X500Name name = new X500Name("CN=test intermediate " + SERIAL.get() + ",O=" + domain.name());
            X509Certificate cert = sign(
                    name,
                    key,
                    subject(certificate),
                    keyPair,
                    notBefore,
                    notAfter,
                    certificate,
                    caExtensions(domain.id()));
            List<X509Certificate> path = new ArrayList<>();
            path.add(cert);
            path.addAll(chain);
            return new Authority(domain, cert, key, path, root);
        }

        public Leaf leaf(SpiffeId id) {
            Instant now = Instant.now();
            return leaf(id, now.minus(DEFAULT_BACKDATE), now.plus(DEFAULT_LIFETIME));
        }

        /** An X509-SVID for {@code id}. */
        public Leaf leaf(SpiffeId id, Instant notBefore, Instant notAfter) {
            return issue(new Profile(false, id, List.of()), TestPki.keyPair(), notBefore, notAfter);
        }

        /** A certificate with any profile, for negative tests (no SAN, CA=true leaf, DNS names...). */
        public Leaf issue(Profile profile, KeyPair subjectKey, Instant notBefore, Instant notAfter) {
            X500Name name = new X500Name("CN=test leaf " + SERIAL.get() + ",O=" + domain.name());
            X509Certificate cert =
                    sign(name, subjectKey, subject(certificate), keyPair, notBefore, notAfter, certificate, profile);
            List<X509Certificate> path = new ArrayList<>();
            path.add(cert);
            path.addAll(chain);
            return new Leaf(subjectKey, path);
        }
    }

    /** An issued certificate with its key; {@code chain} is leaf first, without the root. */
    public record Leaf(KeyPair keyPair, List<X509Certificate> chain) {
        public Leaf {
            Objects.requireNonNull(keyPair, "keyPair");
            chain = List.copyOf(chain);
        }

        public X509Certificate certificate() {
            return chain.get(0);
        }

        public TlsIdentity identity() {
            return new TlsIdentity(keyPair.getPrivate(), chain);
        }
    }

    private static X500Name subject(X509Certificate cert) {
        return X500Name.getInstance(cert.getSubjectX500Principal().getEncoded());
    }

    private static X509Certificate sign(
            X500Name subject,
            KeyPair subjectKey,
            X500Name issuer,
            KeyPair issuerKey,
            Instant notBefore,
            Instant notAfter,
            X509Certificate issuerCert,
            Profile profile) {
        try {
            JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                    issuer,
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
                    issuerCert == null
                            ? utils.createAuthorityKeyIdentifier(subjectKey.getPublic())
                            : utils.createAuthorityKeyIdentifier(issuerCert));
            if (profile.ca()) {
                builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
                builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            } else {
                builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
                builder.addExtension(
                        Extension.keyUsage,
                        true,
                        new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment | KeyUsage.keyAgreement));
                builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(new KeyPurposeId[] {
                    KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth
                }));
            }
            List<GeneralName> sans = new ArrayList<>();
            if (profile.uriSan() != null) {
                sans.add(new GeneralName(
                        GeneralName.uniformResourceIdentifier, profile.uriSan().toString()));
            }
            for (String dns : profile.dnsNames()) {
                sans.add(new GeneralName(GeneralName.dNSName, dns));
            }
            if (!sans.isEmpty()) {
                builder.addExtension(
                        Extension.subjectAlternativeName, false, new GeneralNames(sans.toArray(new GeneralName[0])));
            }
            var signer = new JcaContentSignerBuilder(Keys.signatureAlgorithm(issuerKey.getPrivate()))
                    .build(issuerKey.getPrivate());
            return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
        } catch (GeneralSecurityException | OperatorCreationException | CertIOException e) {
            throw new IllegalStateException("test PKI cannot sign", e);
        }
    }
}
