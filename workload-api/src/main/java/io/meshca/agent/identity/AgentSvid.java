package io.meshca.agent.identity;

import io.meshca.common.pki.Certificates;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.common.tls.TlsIdentity;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The agent's own X509-SVID and its private key: what it presents to ca-server over mutual TLS.
 * Unlike workload keys, this key is persisted (0600) so that a restarted agent needs no new token.
 */
public record AgentSvid(List<X509Certificate> chain, PrivateKey privateKey) {

    public AgentSvid {
        chain = List.copyOf(chain);
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("agent SVID chain is empty");
        }
        Objects.requireNonNull(privateKey, "privateKey");
    }

    public X509Certificate leaf() {
        return chain.get(0);
    }

    /** The agent ID, from the leaf's URI SAN. */
    public SpiffeId spiffeId() {
        return Certificates.spiffeId(leaf())
                .orElseThrow(() -> new IllegalStateException("agent SVID has no SPIFFE ID"));
    }

    public Instant notAfter() {
        return leaf().getNotAfter().toInstant();
    }

    public boolean isExpiredAt(Instant now) {
        return !now.isBefore(notAfter());
    }

    public String serial() {
        return leaf().getSerialNumber().toString(16);
    }

    public TlsIdentity tlsIdentity() {
        return new TlsIdentity(privateKey, chain);
    }

    @Override
    public String toString() {
        // never print the key
        return "AgentSvid[serial=" + serial() + ", notAfter=" + notAfter() + "]";
    }
}
