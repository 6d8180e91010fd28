package io.meshca.server.ca.signing;

import io.meshca.common.spiffe.SpiffeId;
import java.security.PublicKey;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;

/**
 * What to put in an X509-SVID: the identity (from an entry or agent attestation, never a CSR) and a
 * verified key, as the SubjectPublicKeyInfo that goes into the certificate unchanged.
 */
public record SvidRequest(
        SpiffeId spiffeId, SubjectPublicKeyInfo subjectPublicKeyInfo, List<String> dnsNames, Duration ttl) {
    public SvidRequest {
        Objects.requireNonNull(spiffeId, "spiffeId");
        Objects.requireNonNull(subjectPublicKeyInfo, "subjectPublicKeyInfo");
        dnsNames = List.copyOf(dnsNames);
        Objects.requireNonNull(ttl, "ttl");
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("ttl must be positive");
        }
    }

    /** For a key object (generated in process, not from a CSR). */
    public SvidRequest(SpiffeId spiffeId, PublicKey publicKey, List<String> dnsNames, Duration ttl) {
        this(
                spiffeId,
                SubjectPublicKeyInfo.getInstance(
                        Objects.requireNonNull(publicKey, "publicKey").getEncoded()),
                dnsNames,
                ttl);
    }
}
