package io.meshca.agent.cache;

import io.meshca.common.spiffe.SpiffeId;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * An X509-SVID held by the agent: the chain (leaf first) the server signed and the private key the
 * agent generated for it. The key lives only in the agent's memory and the workload's.
 *
 * @param entryId the registration entry it was issued for
 * @param hint the entry's hint, or "" if none
 */
public record IssuedSvid(
        String entryId, SpiffeId spiffeId, List<X509Certificate> chain, PrivateKey privateKey, String hint) {

    public IssuedSvid {
        Objects.requireNonNull(entryId, "entryId");
        Objects.requireNonNull(spiffeId, "spiffeId");
        chain = List.copyOf(chain);
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("chain is empty");
        }
        Objects.requireNonNull(privateKey, "privateKey");
        Objects.requireNonNull(hint, "hint");
    }

    public X509Certificate leaf() {
        return chain.get(0);
    }

    /** The leaf's NotAfter: the end of the SVID's validity. */
    public Instant notAfter() {
        return leaf().getNotAfter().toInstant();
    }

    /** True from the leaf's NotAfter on: the SVID must no longer be handed out. */
    public boolean isExpiredAt(Instant now) {
        return !now.isBefore(notAfter());
    }

    @Override
    public String toString() {
        // never print the key
        return "IssuedSvid[" + spiffeId + ", serial=" + leaf().getSerialNumber().toString(16) + ", notAfter="
                + leaf().getNotAfter() + "]";
    }
}
