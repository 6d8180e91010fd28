package io.meshca.server.ca.signing;

import io.meshca.common.error.InvalidArgumentException;
import java.io.IOException;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCSException;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;

/**
 * Reads a PKCS#10 request the way the CA trusts it: the signature must verify with the enclosed key
 * (proof of possession), and only that public key is used. Subject and SANs are ignored — the identity
 * comes from the registration entry — but a request that asks to be a CA is refused outright.
 */
public final class CsrParser {

    public static final int MAX_CSR_BYTES = 16 * 1024;
    public static final String MALFORMED = "malformed CSR: not a DER PKCS#10 request";
    public static final String BAD_SIGNATURE = "CSR signature does not verify with its public key (no proof of possession)";
    public static final String ASKS_FOR_CA = "CSR requests a CA certificate (basicConstraints CA=true); SVIDs are never CAs";

    private CsrParser() {
    }

    /** The verified public key of the request; throws InvalidArgumentException naming the problem. */
    public static PublicKey publicKey(byte[] der) {
        if (der == null || der.length == 0) {
            throw new InvalidArgumentException("CSR is empty");
        }
        if (der.length > MAX_CSR_BYTES) {
            throw new InvalidArgumentException("CSR is larger than " + MAX_CSR_BYTES + " bytes");
        }
        JcaPKCS10CertificationRequest csr;
        PublicKey key;
        try {
            csr = new JcaPKCS10CertificationRequest(der);
            key = csr.getPublicKey();
        } catch (IOException | RuntimeException | java.security.GeneralSecurityException e) {
            throw new InvalidArgumentException(MALFORMED, e);
        }
        try {
            if (!csr.isSignatureValid(new JcaContentVerifierProviderBuilder().build(key))) {
                throw new InvalidArgumentException(BAD_SIGNATURE);
            }
        } catch (OperatorCreationException | PKCSException | RuntimeException e) {
            if (e instanceof InvalidArgumentException iae) {
                throw iae;
            }
            throw new InvalidArgumentException(BAD_SIGNATURE, e);
        }
        rejectCaRequest(csr);
        checkKey(key);
        return key;
    }

    private static void rejectCaRequest(JcaPKCS10CertificationRequest csr) {
        for (var attribute : csr.getAttributes(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest)) {
            for (var value : attribute.getAttrValues()) {
                Extensions extensions;
                try {
                    extensions = Extensions.getInstance(value);
                } catch (RuntimeException e) {
                    throw new InvalidArgumentException(MALFORMED + " (bad extension request)", e);
                }
                Extension bc = extensions.getExtension(Extension.basicConstraints);
                if (bc != null && BasicConstraints.getInstance(bc.getParsedValue()).isCA()) {
                    throw new InvalidArgumentException(ASKS_FOR_CA);
                }
            }
        }
    }

    private static void checkKey(PublicKey key) {
        if (key instanceof ECPublicKey ec) {
            int bits = ec.getParams().getCurve().getField().getFieldSize();
            if (bits < 256) {
                throw new InvalidArgumentException("CSR key is an EC key of " + bits + " bits; at least P-256 is required");
            }
        } else if (key instanceof RSAPublicKey rsa) {
            if (rsa.getModulus().bitLength() < 2048) {
                throw new InvalidArgumentException("CSR key is RSA " + rsa.getModulus().bitLength() + "; at least 2048 bits is required");
            }
        } else {
            throw new InvalidArgumentException("CSR key algorithm " + key.getAlgorithm() + " is not supported (use EC P-256 or RSA)");
        }
    }
}
