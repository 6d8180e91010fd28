package io.meshca.server.ca.signing;

import io.meshca.common.error.UnavailableException;
import io.meshca.common.pki.Certificates;
import io.meshca.common.spiffe.SpiffeId;
import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERGeneralizedTime;
import org.bouncycastle.asn1.DERUTCTime;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x509.Time;
import org.bouncycastle.asn1.x509.V3TBSCertificateGenerator;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;

/**
 * Signs X509-SVIDs per the SPIFFE X509-SVID standard: exactly one URI SAN (the SPIFFE ID), optional
 * DNS SANs (the first also as subject CN), CA=false, keyUsage critical digitalSignature +
 * keyEncipherment + keyAgreement, EKU serverAuth + clientAuth, a random positive 128-bit serial,
 * SKI/AKI, NotBefore backdated 10 s and NotAfter capped at the CA's NotAfter.
 *
 * <p>The current authority is read from a supplier once per call and no lock is held while signing,
 * so any number of threads sign in parallel. What depends only on the authority (issuer name, AKI,
 * chain) is derived once per authority, not per certificate, and the extensions every leaf shares are
 * encoded once; the certificate's DER is assembled from the very TBS bytes that were signed.
 */
public final class X509SvidSigner {

    public static final Duration BACKDATE = Duration.ofSeconds(10);

    /** Per thread: SecureRandom.nextBytes would otherwise serialize the signers. */
    private static final ThreadLocal<SecureRandom> RANDOM = ThreadLocal.withInitial(SecureRandom::new);

    private static final X500Name SUBJECT_WITHOUT_DNS =
            new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, "meshca").build();
    private static final KeyUsage LEAF_KEY_USAGE =
            new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment | KeyUsage.keyAgreement);
    private static final ExtendedKeyUsage LEAF_EKU =
            new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth});
    private static final BasicConstraints NOT_A_CA = new BasicConstraints(false);
    private static final DateTimeFormatter UTC_TIME =
            DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter GENERALIZED_TIME =
            DateTimeFormatter.ofPattern("yyyyMMddHHmmss'Z'").withZone(ZoneOffset.UTC);

    /** Per thread: a SHA-1 digest for the subject key identifier (RFC 5280 method 1). */
    private static final ThreadLocal<MessageDigest> SHA1 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-1");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no SHA-1 in this JVM", e);
        }
    });
    // The same in every leaf: encoded once.
    private static final Extension BASIC_CONSTRAINTS = extension(Extension.basicConstraints, true, NOT_A_CA);
    private static final Extension KEY_USAGE = extension(Extension.keyUsage, true, LEAF_KEY_USAGE);
    private static final Extension EXTENDED_KEY_USAGE = extension(Extension.extendedKeyUsage, false, LEAF_EKU);

    /** What every certificate signed by one authority shares. */
    private record Prepared(
            X509Authority source,
            X500Name issuer,
            Extension aki,
            Instant notAfter,
            AlgorithmIdentifier algorithm,
            byte[] algorithmDer,
            List<X509Certificate> chainTail,
            List<byte[]> chainTailDer) {}

    private final Supplier<X509Authority> authority;
    private final Clock clock;
    private volatile Prepared prepared;

    public X509SvidSigner(Supplier<X509Authority> authority, Clock clock) {
        this.authority = Objects.requireNonNull(authority, "authority");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The signed chain, leaf first, followed by the CA's upstream chain (empty for a self-signed root). */
    public List<X509Certificate> sign(SvidRequest request) {
        Prepared ca = prepare(authority.get());
        SignedSvid signed = sign(request, ca);
        X509Certificate leaf = Certificates.parse(signed.leafDer());
        if (ca.chainTail().isEmpty()) {
            return List.of(leaf);
        }
        List<X509Certificate> chain = new ArrayList<>(1 + ca.chainTail().size());
        chain.add(leaf);
        chain.addAll(ca.chainTail());
        return chain;
    }

    /** The same, as DER: what the agent API sends, without parsing the new leaf back into an object. */
    public SignedSvid signDer(SvidRequest request) {
        return sign(request, prepare(authority.get()));
    }

    private SignedSvid sign(SvidRequest request, Prepared ca) {
        Instant now = clock.instant();
        Instant notBefore = now.minus(BACKDATE);
        if (!ca.notAfter().isAfter(now)) {
            throw new UnavailableException("the X.509 CA expired at " + ca.notAfter() + "; no SVID can be signed");
        }
        Instant notAfter = now.plus(request.ttl());
        if (notAfter.isAfter(ca.notAfter())) {
            notAfter = ca.notAfter();
        }
        BigInteger serial = serial();
        SubjectPublicKeyInfo key = request.subjectPublicKeyInfo();
        try {
            // The TBS is built from parts directly (no certificate builder, holder or content-signer
            // stream), encoded once, signed, and wrapped: the signed bytes are the certificate's bytes.
            V3TBSCertificateGenerator tbs = new V3TBSCertificateGenerator();
            tbs.setSerialNumber(new ASN1Integer(serial));
            tbs.setSignature(ca.algorithm());
            tbs.setIssuer(ca.issuer());
            tbs.setStartDate(time(notBefore, START_TIMES));
            tbs.setEndDate(time(notAfter, END_TIMES));
            tbs.setSubject(subject(request.dnsNames()));
            tbs.setSubjectPublicKeyInfo(key);
            tbs.setExtensions(new Extensions(new Extension[] {
                BASIC_CONSTRAINTS,
                KEY_USAGE,
                EXTENDED_KEY_USAGE,
                subjectKeyIdentifier(key),
                ca.aki(),
                extension(Extension.subjectAlternativeName, false, sans(request.spiffeId(), request.dnsNames()))
            }));
            byte[] tbsDer = tbs.generateTBSCertificate().getEncoded(ASN1Encoding.DER);
            byte[] der =
                    Der.certificate(tbsDer, ca.algorithmDer(), ca.source().key().sign(tbsDer));
            return new SignedSvid(der, serial, notAfter.truncatedTo(ChronoUnit.SECONDS), ca.chainTailDer());
        } catch (IOException e) {
            throw new IllegalStateException("cannot sign an X509-SVID for " + request.spiffeId(), e);
        }
    }

    private static Extension subjectKeyIdentifier(SubjectPublicKeyInfo key) {
        byte[] digest = SHA1.get().digest(key.getPublicKeyData().getBytes());
        return extension(Extension.subjectKeyIdentifier, false, new SubjectKeyIdentifier(digest));
    }

    private static Extension extension(ASN1ObjectIdentifier oid, boolean critical, ASN1Encodable value) {
        try {
            return new Extension(oid, critical, value.toASN1Primitive().getEncoded(ASN1Encoding.DER));
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode extension " + oid, e);
        }
    }

    private Prepared prepare(X509Authority ca) {
        Prepared p = prepared;
        if (p != null && p.source() == ca) {
            return p;
        }
        try {
            X509Certificate cert = ca.certificate();
            List<X509Certificate> tail = new ArrayList<>();
            if (!ca.upstreamChain().isEmpty() || !isSelfSigned(cert)) {
                tail.add(cert);
                tail.addAll(ca.upstreamChain());
            }
            List<byte[]> tailDer = new ArrayList<>(tail.size());
            for (X509Certificate c : tail) {
                tailDer.add(Certificates.der(c));
            }
            AlgorithmIdentifier algorithm = KeyContentSigner.algorithmOf(ca.key());
            p = new Prepared(
                    ca,
                    X500Name.getInstance(cert.getSubjectX500Principal().getEncoded()),
                    extension(
                            Extension.authorityKeyIdentifier,
                            false,
                            new JcaX509ExtensionUtils().createAuthorityKeyIdentifier(cert)),
                    cert.getNotAfter().toInstant(),
                    algorithm,
                    algorithm.getEncoded(ASN1Encoding.DER),
                    List.copyOf(tail),
                    tailDer);
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(
                    "cannot use the CA certificate " + ca.certificate().getSubjectX500Principal(), e);
        }
        // A benign race: two threads may both derive it after a rotation; either result is the same.
        prepared = p;
        return p;
    }

    /**
     * RFC 5280 validity: UTCTime through 2049, GeneralizedTime after, whole seconds — what Bouncy
     * Castle's {@code Time(Date)} makes, without the SimpleDateFormat and Locale it builds per call.
     */
    static Time time(Instant instant) {
        return time(instant, START_TIMES);
    }

    private static Time time(Instant instant, ThreadLocal<CachedTime[]> times) {
        // Bouncy Castle validates a time string by parsing it with SimpleDateFormat; every leaf signed
        // in the same second shares its two times, so they are made once per second (per thread).
        long second = instant.getEpochSecond();
        CachedTime[] cache = times.get();
        int slot = (int) (second & (cache.length - 1));
        CachedTime hit = cache[slot];
        if (hit != null && hit.epochSecond() == second) {
            return hit.time();
        }
        Time time = encodeTime(instant);
        cache[slot] = new CachedTime(second, time);
        return time;
    }

    private record CachedTime(long epochSecond, Time time) {}

    /**
     * Direct-mapped by epoch second; a power of two. Start and end times have a cache each: in one they
     * would evict each other on every signature whenever (TTL + backdating) is a multiple of its size.
     */
    private static final ThreadLocal<CachedTime[]> START_TIMES = ThreadLocal.withInitial(() -> new CachedTime[8]);

    private static final ThreadLocal<CachedTime[]> END_TIMES = ThreadLocal.withInitial(() -> new CachedTime[8]);

    private static Time encodeTime(Instant instant) {
        Instant seconds = instant.truncatedTo(ChronoUnit.SECONDS);
        int year = seconds.atOffset(ZoneOffset.UTC).getYear();
        if (year >= 1950 && year <= 2049) {
            return new Time(new DERUTCTime(UTC_TIME.format(seconds)));
        }
        return new Time(new DERGeneralizedTime(GENERALIZED_TIME.format(seconds)));
    }

    /** A random positive serial of at most 128 bits (the top bit cleared keeps the DER at 16 bytes). */
    static BigInteger serial() {
        byte[] bytes = new byte[16];
        RANDOM.get().nextBytes(bytes);
        bytes[0] &= 0x7f;
        BigInteger serial = new BigInteger(1, bytes);
        return serial.signum() == 0 ? BigInteger.ONE : serial;
    }

    private static X500Name subject(List<String> dnsNames) {
        if (dnsNames.isEmpty()) {
            return SUBJECT_WITHOUT_DNS;
        }
        return new X500NameBuilder(BCStyle.INSTANCE)
                .addRDN(BCStyle.O, "meshca")
                .addRDN(BCStyle.CN, dnsNames.get(0))
                .build();
    }

    private static GeneralNames sans(SpiffeId id, List<String> dnsNames) {
        GeneralName[] names = new GeneralName[1 + dnsNames.size()];
        names[0] = new GeneralName(GeneralName.uniformResourceIdentifier, id.toString());
        for (int i = 0; i < dnsNames.size(); i++) {
            names[i + 1] = new GeneralName(GeneralName.dNSName, dnsNames.get(i));
        }
        return new GeneralNames(names);
    }

    private static boolean isSelfSigned(X509Certificate cert) {
        return cert.getSubjectX500Principal().equals(cert.getIssuerX500Principal());
    }
}
