package io.meshca.server.ca.signing;

import io.meshca.common.spiffe.SpiffeId;
import java.security.PublicKey;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/** What to put in an X509-SVID: the identity (from an entry or agent attestation, never a CSR) and a verified key. */
public record SvidRequest(SpiffeId spiffeId, PublicKey publicKey, List<String> dnsNames, Duration ttl) {
    public SvidRequest {
        Objects.requireNonNull(spiffeId, "spiffeId");
        Objects.requireNonNull(publicKey, "publicKey");
        dnsNames = List.copyOf(dnsNames);
        Objects.requireNonNull(ttl, "ttl");
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("ttl must be positive");
        }
    }
}
