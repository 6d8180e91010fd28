package io.meshca.samples.identity;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Objects;

/**
 * The public facts of an SVID that the services print and the demo runner reads: never the key.
 *
 * @param spiffeId  the SVID's SPIFFE ID
 * @param serialHex the leaf certificate's serial number in lowercase hex
 * @param notAfter  the leaf's expiry
 */
public record SvidInfo(String spiffeId, String serialHex, Instant notAfter) {

    public SvidInfo {
        Objects.requireNonNull(spiffeId, "spiffeId");
        Objects.requireNonNull(serialHex, "serialHex");
        Objects.requireNonNull(notAfter, "notAfter");
    }

    public static SvidInfo of(String spiffeId, X509Certificate leaf) {
        return new SvidInfo(
                spiffeId,
                leaf.getSerialNumber().toString(16),
                leaf.getNotAfter().toInstant());
    }
}
