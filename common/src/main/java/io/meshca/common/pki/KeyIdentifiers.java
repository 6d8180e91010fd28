package io.meshca.common.pki;

import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.Optional;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.crypto.Digest;
import org.bouncycastle.crypto.digests.SHA1Digest;

/**
 * Subject and authority key identifiers of certificates, in lowercase hex: what names an X.509
 * authority (SPIRE's "authority ID") and what ties an SVID to the key that signed it. A break-glass
 * taint is matched by these, so the agent and the server must compute them the same way.
 */
public final class KeyIdentifiers {

    private KeyIdentifiers() {}

    /**
     * The certificate's subject key identifier; for a certificate without the extension, the SHA-1 of
     * its public key bits (RFC 5280, 4.2.1.2, method 1), which is what meshca's CAs carry.
     */
    public static String subjectKeyId(X509Certificate certificate) {
        byte[] ext = certificate.getExtensionValue(Extension.subjectKeyIdentifier.getId());
        if (ext != null) {
            byte[] id = SubjectKeyIdentifier.getInstance(
                            ASN1OctetString.getInstance(ext).getOctets())
                    .getKeyIdentifier();
            return HexFormat.of().formatHex(id);
        }
        byte[] bits = SubjectPublicKeyInfo.getInstance(
                        certificate.getPublicKey().getEncoded())
                .getPublicKeyData()
                .getBytes();
        Digest sha1 = new SHA1Digest();
        sha1.update(bits, 0, bits.length);
        byte[] out = new byte[sha1.getDigestSize()];
        sha1.doFinal(out, 0);
        return HexFormat.of().formatHex(out);
    }

    /** The key identifier of the certificate's issuer, if the certificate names one. */
    public static Optional<String> authorityKeyId(X509Certificate certificate) {
        byte[] ext = certificate.getExtensionValue(Extension.authorityKeyIdentifier.getId());
        if (ext == null) {
            return Optional.empty();
        }
        byte[] id = AuthorityKeyIdentifier.getInstance(
                        ASN1OctetString.getInstance(ext).getOctets())
                .getKeyIdentifier();
        return id == null ? Optional.empty() : Optional.of(HexFormat.of().formatHex(id));
    }
}
