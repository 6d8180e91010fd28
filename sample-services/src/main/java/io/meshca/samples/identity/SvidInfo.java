package io.meshca.samples.identity;

import io.spiffe.svid.x509svid.X509Svid;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Collection;
import java.util.Objects;

/**
 * The public facts of an SVID that the services print and the demo runner reads: never the key.
 *
 * @param spiffeId          the SVID's SPIFFE ID
 * @param serialHex         the leaf certificate's serial number in lowercase hex
 * @param notAfter          the leaf's expiry
 * @param issuerFingerprint SHA-256 of the CA certificate that signed the leaf (see {@link IssuingCa}),
 *                          or {@link #UNKNOWN_ISSUER} if neither the chain nor the bundle holds it
 */
public record SvidInfo(String spiffeId, String serialHex, Instant notAfter, String issuerFingerprint) {

    /** The issuer of an SVID whose CA is in neither its chain nor its bundle. */
    public static final String UNKNOWN_ISSUER = "-";

    public SvidInfo {
        Objects.requireNonNull(spiffeId, "spiffeId");
        Objects.requireNonNull(serialHex, "serialHex");
        Objects.requireNonNull(notAfter, "notAfter");
        Objects.requireNonNull(issuerFingerprint, "issuerFingerprint");
    }

    /** @param authorities the CA certificates of the SVID's trust domain bundle */
    public static SvidInfo of(X509Svid svid, Collection<X509Certificate> authorities) {
        X509Certificate leaf = svid.getLeaf();
        return new SvidInfo(
                svid.getSpiffeId().toString(),
                serialHex(leaf),
                leaf.getNotAfter().toInstant(),
                IssuingCa.of(svid.getChain(), authorities)
                        .map(IssuingCa::fingerprint)
                        .orElse(UNKNOWN_ISSUER));
    }

    public static String serialHex(X509Certificate leaf) {
        return leaf.getSerialNumber().toString(16);
    }
}
