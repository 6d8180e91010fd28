package io.meshca.common.pki;

import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.Optional;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;

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
