package io.meshca.server.ca.signing;

import io.meshca.common.crypto.CryptoProvider;
import io.meshca.common.error.InvalidArgumentException;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.ECNamedCurveTable;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.PKCSException;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;

/**
 * Reads a PKCS#10 request the way the CA trusts it: the signature must verify with the enclosed key
 * (proof of possession), and only that public key is used. Subject and SANs are ignored — the identity
 * comes from the registration entry — but a request that asks to be a CA is refused outright.
 *
 * <p>This is half of every issuance, so it does the least work that still checks everything: the
 * signature is verified over the request's own bytes of CertificationRequestInfo (no re-encoding), with
 * the process's {@link CryptoProvider}, and the key is decoded once, straight into that provider.
 */
public final class CsrParser {

    public static final int MAX_CSR_BYTES = 16 * 1024;
    public static final String MALFORMED = "malformed CSR: not a DER PKCS#10 request";
    public static final String BAD_SIGNATURE =
            "CSR signature does not verify with its public key (no proof of possession)";
    public static final String ASKS_FOR_CA =
            "CSR requests a CA certificate (basicConstraints CA=true); SVIDs are never CAs";

    /** Signature algorithms verified directly; any other goes through Bouncy Castle's verifier (e.g. RSA-PSS). */
    private static final Map<ASN1ObjectIdentifier, String> SIGNATURE_ALGORITHMS = Map.of(
            X9ObjectIdentifiers.ecdsa_with_SHA256, "SHA256withECDSA",
            X9ObjectIdentifiers.ecdsa_with_SHA384, "SHA384withECDSA",
            X9ObjectIdentifiers.ecdsa_with_SHA512, "SHA512withECDSA",
            PKCSObjectIdentifiers.sha256WithRSAEncryption, "SHA256withRSA",
            PKCSObjectIdentifiers.sha384WithRSAEncryption, "SHA384withRSA",
            PKCSObjectIdentifiers.sha512WithRSAEncryption, "SHA512withRSA");

    private static final Set<ASN1ObjectIdentifier> ALLOWED_CURVES =
            Set.of(SECObjectIdentifiers.secp256r1, SECObjectIdentifiers.secp384r1, SECObjectIdentifiers.secp521r1);

    /** Signature objects are not thread-safe and not free to look up: one per thread and algorithm. */
    private static final ThreadLocal<Map<String, Signature>> VERIFIERS = ThreadLocal.withInitial(HashMap::new);

    private CsrParser() {}

    /** A request whose proof of possession has been checked: its key, and that key's encoding as sent. */
    public record VerifiedCsr(PublicKey publicKey, SubjectPublicKeyInfo subjectPublicKeyInfo) {}

    /** The verified public key of the request; throws InvalidArgumentException naming the problem. */
    public static PublicKey publicKey(byte[] der) {
        return verify(der).publicKey();
    }

    /**
     * Verifies the request and returns its key both as an object and as the SubjectPublicKeyInfo the
     * certificate will carry (so the key is never re-encoded); throws InvalidArgumentException naming
     * the problem.
     */
    public static VerifiedCsr verify(byte[] der) {
        if (der == null || der.length == 0) {
            throw new InvalidArgumentException("CSR is empty");
        }
        if (der.length > MAX_CSR_BYTES) {
            throw new InvalidArgumentException("CSR is larger than " + MAX_CSR_BYTES + " bytes");
        }
        PKCS10CertificationRequest csr;
        try {
            csr = new PKCS10CertificationRequest(der);
        } catch (IOException | RuntimeException e) {
            throw new InvalidArgumentException(MALFORMED, e);
        }
        SubjectPublicKeyInfo info = csr.getSubjectPublicKeyInfo();
        // before decoding: a provider may not even know the curve, and "malformed" would hide why
        checkCurve(info);
        PublicKey key;
        try {
            key = decodeKey(csr);
        } catch (IOException | RuntimeException | GeneralSecurityException e) {
            throw new InvalidArgumentException(MALFORMED, e);
        }
        if (!signatureIsValid(der, csr, key)) {
            throw new InvalidArgumentException(BAD_SIGNATURE);
        }
        rejectCaRequest(csr);
        checkKey(key);
        return new VerifiedCsr(key, info);
    }

    private static PublicKey decodeKey(PKCS10CertificationRequest csr) throws IOException, GeneralSecurityException {
        var info = csr.getSubjectPublicKeyInfo();
        ASN1ObjectIdentifier algorithm = info.getAlgorithm().getAlgorithm();
        String name = X9ObjectIdentifiers.id_ecPublicKey.equals(algorithm)
                ? "EC"
                : PKCSObjectIdentifiers.rsaEncryption.equals(algorithm) ? "RSA" : null;
        if (name == null) {
            // an algorithm meshca does not issue for: decoded generically so checkKey can name it
            return new JcaPKCS10CertificationRequest(csr).getPublicKey();
        }
        var provider = CryptoProvider.get().provider();
        KeyFactory factory =
                provider.isPresent() ? KeyFactory.getInstance(name, provider.get()) : KeyFactory.getInstance(name);
        return factory.generatePublic(new X509EncodedKeySpec(info.getEncoded()));
    }

    private static boolean signatureIsValid(byte[] der, PKCS10CertificationRequest csr, PublicKey key) {
        String algorithm = SIGNATURE_ALGORITHMS.get(csr.getSignatureAlgorithm().getAlgorithm());
        int[] info = algorithm == null ? null : Der.firstElementOfSequence(der);
        try {
            if (info == null) {
                // unusual algorithm or encoding: Bouncy Castle re-encodes the request info and checks it
                var verifier = new JcaContentVerifierProviderBuilder();
                CryptoProvider.get().provider().ifPresent(verifier::setProvider);
                return csr.isSignatureValid(verifier.build(key));
            }
            Signature signature = VERIFIERS.get().get(algorithm);
            if (signature == null) {
                signature = CryptoProvider.get().signature(algorithm);
                VERIFIERS.get().put(algorithm, signature);
            }
            signature.initVerify(key);
            signature.update(der, info[0], info[1]);
            return signature.verify(csr.getSignature());
        } catch (GeneralSecurityException | OperatorCreationException | PKCSException | RuntimeException e) {
            return false;
        }
    }

    private static void rejectCaRequest(PKCS10CertificationRequest csr) {
        for (var attribute : csr.getAttributes(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest)) {
            for (var value : attribute.getAttrValues()) {
                Extensions extensions;
                try {
                    extensions = Extensions.getInstance(value);
                } catch (RuntimeException e) {
                    throw new InvalidArgumentException(MALFORMED + " (bad extension request)", e);
                }
                Extension bc = extensions.getExtension(Extension.basicConstraints);
                if (bc != null
                        && BasicConstraints.getInstance(bc.getParsedValue()).isCA()) {
                    throw new InvalidArgumentException(ASKS_FOR_CA);
                }
            }
        }
    }

    private static String curveName(ASN1Encodable parameters) {
        if (parameters instanceof ASN1ObjectIdentifier oid) {
            String name = ECNamedCurveTable.getName(oid);
            return "curve " + (name == null ? oid.getId() : name);
        }
        return "explicit (unnamed) curve parameters";
    }

    /**
     * EC keys must be on a named curve TLS peers support, read as the OID in the request itself:
     * asking the key object for its curve would build the curve's parameters on every request.
     */
    private static void checkCurve(SubjectPublicKeyInfo info) {
        if (!X9ObjectIdentifiers.id_ecPublicKey.equals(info.getAlgorithm().getAlgorithm())) {
            return;
        }
        var parameters = info.getAlgorithm().getParameters();
        if (!(parameters instanceof ASN1ObjectIdentifier curve) || !ALLOWED_CURVES.contains(curve)) {
            throw new InvalidArgumentException("CSR key is an EC key on " + curveName(parameters)
                    + "; only the named curves P-256, P-384 and P-521 are accepted");
        }
    }

    private static void checkKey(PublicKey key) {
        if (key instanceof ECPublicKey) {
            return; // checkCurve has seen its curve
        } else if (key instanceof RSAPublicKey rsa) {
            if (rsa.getModulus().bitLength() < 2048) {
                throw new InvalidArgumentException(
                        "CSR key is RSA " + rsa.getModulus().bitLength() + "; at least 2048 bits is required");
            }
        } else {
            throw new InvalidArgumentException(
                    "CSR key algorithm " + key.getAlgorithm() + " is not supported (use EC P-256 or RSA)");
        }
    }
}
