package io.meshca.server.attestation.node;

import io.meshca.common.attestation.X509PopChallenge;
import io.meshca.common.error.InvalidArgumentException;
import io.meshca.common.error.PermissionDeniedException;
import io.meshca.common.logging.LogSafe;
import io.meshca.common.pki.Certificates;
import io.meshca.common.selector.X509PopSelectors;
import io.meshca.common.spiffe.Selector;
import io.meshca.common.spiffe.SelectorSet;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.common.spiffe.TrustDomain;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXCertPathValidatorResult;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Attests a node by an X.509 certificate provisioned on it out of band and proof that it holds the
 * certificate's private key (SPIRE's {@code x509pop}).
 *
 * <p>Payload: the node's certificate chain as concatenated DER certificates, the node's own certificate
 * first, then the intermediates it needs to chain to a CA of {@code caBundlePath} (the encoding the
 * Workload API uses for chains; the root may be included or not). The chain must verify (PKIX, at the
 * injected clock's time, without revocation checks), the node certificate must be valid now, have the
 * {@code digitalSignature} key usage if it has a key-usage extension at all, and a key {@link
 * X509PopChallenge#keyProblem} accepts (EC P-256 or P-384, RSA of at least 2048 bits).
 *
 * <p>Then one challenge ({@link X509PopChallenge}): a fresh random nonce the agent signs with the
 * certificate's key. The nonce is new for every attestation, so a recorded answer proves nothing the next
 * time. The agent ID is {@code spiffe://<td>/meshca/agent} followed by the configured template (by
 * default {@code /x509pop/<sha1 fingerprint of the node certificate>}), and the selectors are those of
 * {@link X509PopSelectors}. A node attests as often as it likes: it proves possession every time.
 *
 * <p>Why a node is refused is logged here (never key material); the agent is told only {@link #REFUSED}.
 */
public final class X509PopAttestor implements NodeAttestor {

    public static final String TYPE = X509PopSelectors.TYPE;
    public static final String REFUSED = "x509pop attestation refused";
    public static final String EMPTY = "x509pop payload is empty: it is the node's certificate chain (DER)";

    private static final Logger log = LoggerFactory.getLogger(X509PopAttestor.class);

    private final TrustDomain trustDomain;
    private final X509PopConfig config;
    private final Set<TrustAnchor> anchors;
    private final Clock clock;
    private final SecureRandom random;

    public X509PopAttestor(TrustDomain trustDomain, X509PopConfig config, Clock clock, SecureRandom random) {
        this.trustDomain = trustDomain;
        this.config = config;
        this.clock = clock;
        this.random = random;
        Set<TrustAnchor> set = new LinkedHashSet<>();
        for (X509Certificate ca : config.caBundle()) {
            set.add(new TrustAnchor(ca, null));
        }
        this.anchors = Set.copyOf(set);
    }

    public X509PopAttestor(TrustDomain trustDomain, X509PopConfig config, Clock clock) {
        this(trustDomain, config, clock, new SecureRandom());
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public AttestStep attest(byte[] payload) {
        if (payload.length == 0) {
            throw new InvalidArgumentException(EMPTY);
        }
        List<X509Certificate> chain;
        try {
            chain = Certificates.parseConcatenated(payload);
        } catch (InvalidArgumentException e) {
            throw refused(null, "the payload is not DER certificates");
        }
        if (chain.isEmpty()) {
            throw refused(null, "the payload holds no certificate");
        }
        X509Certificate leaf = chain.get(0);
        List<X509Certificate> cas = verify(chain);
        byte[] challenge = X509PopChallenge.fresh(random);
        return new AttestStep.Challenge(challenge, response -> answer(leaf, cas, challenge, response));
    }

    private AttestStep answer(X509Certificate leaf, List<X509Certificate> cas, byte[] challenge, byte[] response) {
        if (!X509PopChallenge.verify(leaf.getPublicKey(), challenge, response)) {
            throw refused(leaf, "the challenge response is not a signature of this challenge by the certificate's key");
        }
        Optional<String> cn = commonName(leaf);
        Map<String, String> values = cn.isPresent()
                ? Map.of(
                        AgentPathTemplate.FINGERPRINT, fingerprint(leaf),
                        AgentPathTemplate.SERIAL_NUMBER, serial(leaf),
                        AgentPathTemplate.SUBJECT_CN, cn.get())
                : Map.of(
                        AgentPathTemplate.FINGERPRINT,
                        fingerprint(leaf),
                        AgentPathTemplate.SERIAL_NUMBER,
                        serial(leaf));
        SpiffeId agentId;
        SelectorSet selectors;
        try {
            agentId = config.agentPathTemplate().agentId(trustDomain, values);
            selectors = selectors(leaf, cn, cas);
        } catch (InvalidArgumentException e) {
            throw refused(leaf, "no agent ID or selectors for this certificate: " + e.getMessage());
        }
        return new AttestStep.Attested(new AttestResult(agentId, selectors));
    }

    /** The CA certificates the chain verified through, the trusted root last; refuses if it does not verify. */
    private List<X509Certificate> verify(List<X509Certificate> chain) {
        X509Certificate leaf = chain.get(0);
        Instant now = clock.instant();
        if (now.isBefore(leaf.getNotBefore().toInstant())) {
            throw refused(
                    leaf,
                    "the certificate is not valid before " + leaf.getNotBefore().toInstant());
        }
        if (now.isAfter(leaf.getNotAfter().toInstant())) {
            throw refused(
                    leaf, "the certificate expired at " + leaf.getNotAfter().toInstant());
        }
        boolean[] usage = leaf.getKeyUsage();
        if (usage != null && !usage[0]) {
            throw refused(leaf, "the certificate's key usage lacks digitalSignature");
        }
        Optional<String> keyProblem = X509PopChallenge.keyProblem(leaf.getPublicKey());
        if (keyProblem.isPresent()) {
            throw refused(leaf, keyProblem.get());
        }
        List<X509Certificate> path = new ArrayList<>(chain);
        // A chain sent with its root: the root is the anchor, not part of the path PKIX checks.
        while (path.size() > 1 && isAnchor(path.get(path.size() - 1))) {
            path.remove(path.size() - 1);
        }
        PKIXCertPathValidatorResult result;
        try {
            PKIXParameters parameters = new PKIXParameters(anchors);
            parameters.setRevocationEnabled(false);
            parameters.setDate(Date.from(now));
            result = (PKIXCertPathValidatorResult) CertPathValidator.getInstance("PKIX")
                    .validate(CertificateFactory.getInstance("X.509").generateCertPath(path), parameters);
        } catch (CertPathValidatorException e) {
            throw refused(
                    leaf,
                    "the chain does not verify to a CA of " + config.caBundlePath() + ": "
                            + LogSafe.of(e.getMessage(), 200));
        } catch (GeneralSecurityException e) {
            throw refused(leaf, "the chain cannot be verified: " + LogSafe.of(e.getMessage(), 200));
        }
        List<X509Certificate> cas = new ArrayList<>(path.subList(1, path.size()));
        cas.add(result.getTrustAnchor().getTrustedCert());
        return cas;
    }

    private boolean isAnchor(X509Certificate certificate) {
        return anchors.stream().anyMatch(a -> a.getTrustedCert().equals(certificate));
    }

    private static SelectorSet selectors(X509Certificate leaf, Optional<String> cn, List<X509Certificate> cas) {
        List<Selector> selectors = new ArrayList<>();
        cn.ifPresent(name -> selectors.add(selector(X509PopSelectors.subjectCn(name))));
        selectors.add(selector(X509PopSelectors.serialNumber(serial(leaf))));
        for (X509Certificate ca : cas) {
            selectors.add(selector(X509PopSelectors.caFingerprint(fingerprint(ca))));
        }
        return SelectorSet.of(selectors.toArray(new Selector[0]));
    }

    private static Selector selector(String value) {
        return new Selector(TYPE, value);
    }

    /** The SHA-1 of the certificate's DER, lowercase hex: how x509pop names a certificate. */
    static String fingerprint(X509Certificate certificate) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(Certificates.der(certificate)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is not available in this JVM", e);
        }
    }

    private static String serial(X509Certificate certificate) {
        return certificate.getSerialNumber().toString(16);
    }

    /** The subject's first common name, if it has one that is not empty. */
    private static Optional<String> commonName(X509Certificate certificate) {
        RDN[] cns = X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded())
                .getRDNs(BCStyle.CN);
        if (cns.length == 0) {
            return Optional.empty();
        }
        ASN1Encodable value = cns[0].getFirst().getValue();
        String cn = value instanceof ASN1String text ? text.getString() : IETFUtils.valueToString(value);
        return cn.isEmpty() ? Optional.empty() : Optional.of(cn);
    }

    /** Logs why, and returns what the agent is told. */
    private static PermissionDeniedException refused(X509Certificate leaf, String why) {
        if (leaf == null) {
            log.warn("x509pop attestation refused: {}", why);
        } else {
            log.warn(
                    "x509pop attestation refused for certificate serial={} fingerprint={}: {}",
                    serial(leaf),
                    fingerprint(leaf),
                    why);
        }
        return new PermissionDeniedException(REFUSED);
    }
}
