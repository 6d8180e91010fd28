package io.meshca.common.pki;

import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.Optional;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.crypto.digests.SHA1Digest;

/**
 * A certificate's key identifiers as meshca names authorities: lowercase hex of the key identifier
 * bytes, no separators. The server names a tainted X.509 authority by its subject key identifier in
 * this form, and an agent finds the SVIDs it signed by the same form of their authority key identifier.
 */
public final class KeyIdentifiers {

    private static final HexFormat HEX = HexFormat.of();

    private KeyIdentifiers() {}

    /** The SubjectKeyIdentifier extension's value, or empty if the certificate has none. */
    public static Optional<String> subjectKeyId(X509Certificate certificate) {
        return extension(certificate, Extension.subjectKeyIdentifier.getId())
                .map(value -> SubjectKeyIdentifier.getInstance(value).getKeyIdentifier())
                .map(HEX::formatHex);
    }

    /**
     * The ID an X.509 authority goes by (SPIRE's authority ID): its subject key identifier; for a CA
     * certificate without the extension, the SHA-1 of its public key bits, which is what RFC 5280
     * (4.2.1.2, method 1) would have put there.
     */
    public static String authorityId(X509Certificate certificate) {
        return subjectKeyId(certificate).orElseGet(() -> {
            byte[] bits = SubjectPublicKeyInfo.getInstance(
                            certificate.getPublicKey().getEncoded())
                    .getPublicKeyData()
                    .getBytes();
            SHA1Digest sha1 = new SHA1Digest();
            sha1.update(bits, 0, bits.length);
            byte[] out = new byte[sha1.getDigestSize()];
            sha1.doFinal(out, 0);
            return HEX.formatHex(out);
        });
    }

    /**
     * The keyIdentifier field of the AuthorityKeyIdentifier extension, or empty if the certificate has
     * no such extension or it names the issuer only by name and serial.
     */
    public static Optional<String> authorityKeyId(X509Certificate certificate) {
        return extension(certificate, Extension.authorityKeyIdentifier.getId())
                .map(value -> AuthorityKeyIdentifier.getInstance(value).getKeyIdentifier())
                .map(HEX::formatHex);
    }

    /** The DER of an extension's extnValue, unwrapped from the OCTET STRING getExtensionValue returns. */
    private static Optional<byte[]> extension(X509Certificate certificate, String oid) {
        byte[] wrapped = certificate.getExtensionValue(oid);
        if (wrapped == null) {
            return Optional.empty();
        }
        return Optional.of(ASN1OctetString.getInstance(wrapped).getOctets());
    }
}
