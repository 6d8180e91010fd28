package io.meshca.server.ca.signing;

import io.meshca.common.spiffe.SpiffeId;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
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

/**
 * Signs X509-SVIDs per the SPIFFE X509-SVID standard: exactly one URI SAN (the SPIFFE ID), optional
 * DNS SANs (the first also as subject CN), CA=false, keyUsage critical digitalSignature +
 * keyEncipherment + keyAgreement, EKU serverAuth + clientAuth, a random positive 128-bit serial,
 * SKI/AKI, NotBefore backdated 10 s and NotAfter capped at the CA's NotAfter.
 *
 * <p>The current authority is read from a supplier once per call and no lock is held while signing,
 * so any number of threads sign in parallel.
 */
public final class X509SvidSigner {

    public static final Duration BACKDATE = Duration.ofSeconds(10);

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final JcaX509CertificateConverter CONVERTER = new JcaX509CertificateConverter();

    private final Supplier<X509Authority> authority;
    private final Clock clock;

    public X509SvidSigner(Supplier<X509Authority> authority, Clock clock) {
        this.authority = Objects.requireNonNull(authority, "authority");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The signed chain, leaf first, followed by the CA's upstream chain (empty for a self-signed root). */
    public List<X509Certificate> sign(SvidRequest request) {
        X509Authority ca = authority.get();
        Instant now = clock.instant();
        Instant notBefore = now.minus(BACKDATE);
        Instant notAfter = now.plus(request.ttl());
        Instant caNotAfter = ca.certificate().getNotAfter().toInstant();
        if (notAfter.isAfter(caNotAfter)) {
            notAfter = caNotAfter;
        }
        try {
            JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(ca.certificate(), serial(),
                    Date.from(notBefore), Date.from(notAfter), subject(request.dnsNames()), request.publicKey());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(
                    KeyUsage.digitalSignature | KeyUsage.keyEncipherment | KeyUsage.keyAgreement));
            builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(
                    new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
            builder.addExtension(Extension.subjectKeyIdentifier, false,
                    utils.createSubjectKeyIdentifier(request.publicKey()));
            builder.addExtension(Extension.authorityKeyIdentifier, false,
                    utils.createAuthorityKeyIdentifier(ca.certificate()));
            builder.addExtension(Extension.subjectAlternativeName, false, sans(request.spiffeId(), request.dnsNames()));
            X509Certificate leaf = CONVERTER.getCertificate(builder.build(new KeyContentSigner(ca.key())));
            List<X509Certificate> chain = new ArrayList<>(1 + ca.upstreamChain().size());
            chain.add(leaf);
            if (!ca.upstreamChain().isEmpty() || !isSelfSigned(ca.certificate())) {
                chain.add(ca.certificate());
                chain.addAll(ca.upstreamChain());
            }
            return chain;
        } catch (GeneralSecurityException | CertIOException e) {
            throw new IllegalStateException("cannot sign an X509-SVID for " + request.spiffeId(), e);
        }
    }

    /** A random positive serial of at most 128 bits (the top bit cleared keeps the DER at 16 bytes). */
    static BigInteger serial() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        bytes[0] &= 0x7f;
        BigInteger serial = new BigInteger(1, bytes);
        return serial.signum() == 0 ? BigInteger.ONE : serial;
    }

    private static X500Name subject(List<String> dnsNames) {
        X500NameBuilder name = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, "meshca");
        if (!dnsNames.isEmpty()) {
            name.addRDN(BCStyle.CN, dnsNames.get(0));
        }
        return name.build();
    }

    private static GeneralNames sans(SpiffeId id, List<String> dnsNames) {
        List<GeneralName> names = new ArrayList<>();
        names.add(new GeneralName(GeneralName.uniformResourceIdentifier, id.toString()));
        for (String dns : dnsNames) {
            names.add(new GeneralName(GeneralName.dNSName, dns));
        }
        return new GeneralNames(names.toArray(new GeneralName[0]));
    }

    private static boolean isSelfSigned(X509Certificate cert) {
        return cert.getSubjectX500Principal().equals(cert.getIssuerX500Principal());
    }
}
