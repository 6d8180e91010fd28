package io.meshca.server.aws;

import io.meshca.common.error.InvalidArgumentException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.cms.CMSException;
import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.cms.CMSTypedData;
import org.bouncycastle.cms.SignerInformation;
import org.bouncycastle.cms.jcajce.JcaSimpleSignerInfoVerifierBuilder;
import org.bouncycastle.operator.OperatorCreationException;

/**
 * Checks that AWS signed an instance identity document: the {@code rsa2048} signature is a PKCS#7
 * (CMS) SignedData that carries the document inside it; its one signer must be one of the configured AWS
 * certificates (found by issuer and serial, as the SignedData names it) and its signature must verify with
 * that certificate's key; and the content it signed must be the very document sent beside it, byte for
 * byte, so that a genuine signature of one instance cannot vouch for a document written for another.
 * The certificates themselves are not chained anywhere: AWS publishes them per region as the trust anchors.
 */
public final class InstanceIdentityVerifier {

    public static final String NOT_PKCS7 = "aws_iid rsa2048 is not a base64 PKCS#7 SignedData";

    private final List<X509CertificateHolder> certificates;

    /** @param certificates AWS's public certificates for the rsa2048 signatures of the regions trusted */
    public InstanceIdentityVerifier(List<X509Certificate> certificates) {
        if (certificates.isEmpty()) {
            throw new IllegalArgumentException("no AWS certificate");
        }
        List<X509CertificateHolder> holders = new ArrayList<>();
        for (X509Certificate c : certificates) {
            try {
                holders.add(new JcaX509CertificateHolder(c));
            } catch (CertificateEncodingException e) {
                throw new IllegalArgumentException("cannot encode AWS certificate " + c.getSubjectX500Principal(), e);
            }
        }
        this.certificates = List.copyOf(holders);
    }

    /**
     * Passes if AWS signed {@code document}; the signature is taken as the metadata service serves it
     * (base64, broken into lines, without PEM armour).
     *
     * @throws InvalidArgumentException if the signature is not a PKCS#7 SignedData at all
     * @throws DocumentRejectedException saying why the signature does not vouch for the document
     */
    public void verify(SignedIdentityDocument evidence) throws DocumentRejectedException {
        CMSSignedData signed = decode(evidence.rsa2048());
        CMSTypedData content = signed.getSignedContent();
        if (content == null || !(content.getContent() instanceof byte[] signedBytes)) {
            throw new DocumentRejectedException("the signature carries no document (a detached signature)");
        }
        if (!MessageDigest.isEqual(signedBytes, evidence.document().getBytes(StandardCharsets.UTF_8))) {
            throw new DocumentRejectedException("the document is not the one the signature covers");
        }
        Collection<SignerInformation> signers = signed.getSignerInfos().getSigners();
        if (signers.size() != 1) {
            throw new DocumentRejectedException("the signature has " + signers.size() + " signers, not one");
        }
        SignerInformation signer = signers.iterator().next();
        boolean known = false;
        for (X509CertificateHolder certificate : certificates) {
            if (!signer.getSID().match(certificate)) {
                continue;
            }
            known = true;
            if (verifies(signer, certificate)) {
                return;
            }
        }
        throw new DocumentRejectedException(
                known
                        ? "the signature does not verify with the AWS certificate it names"
                        : "the signer is not one of the AWS certificates of awsCertificatePath (issuer "
                                + signer.getSID().getIssuer() + ", serial "
                                + signer.getSID().getSerialNumber() + ")");
    }

    private static boolean verifies(SignerInformation signer, X509CertificateHolder certificate) {
        try {
            return signer.verify(new JcaSimpleSignerInfoVerifierBuilder().build(certificate));
        } catch (CMSException | OperatorCreationException | CertificateException e) {
            // a bad signature value, or the certificate was not valid at the signing time it carries
            return false;
        }
    }

    private static CMSSignedData decode(String base64) {
        try {
            // the metadata service breaks the base64 into lines; the MIME decoder skips them
            return new CMSSignedData(Base64.getMimeDecoder().decode(base64));
        } catch (IllegalArgumentException | IllegalStateException | ClassCastException | CMSException e) {
            // (Bouncy Castle reports malformed ASN.1 with runtime exceptions of several kinds)
            throw new InvalidArgumentException(NOT_PKCS7);
        }
    }
}
