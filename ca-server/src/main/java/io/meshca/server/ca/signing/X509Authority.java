package io.meshca.server.ca.signing;

import io.meshca.server.ca.keys.SigningKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;

/**
 * The CA that signs right now: its certificate, its key, and the chain from it up to (not including)
 * the root — empty for a self-signed root, the upstream intermediates otherwise.
 */
public record X509Authority(X509Certificate certificate, SigningKey key, List<X509Certificate> upstreamChain) {
    public X509Authority {
        Objects.requireNonNull(certificate, "certificate");
        Objects.requireNonNull(key, "key");
        upstreamChain = List.copyOf(upstreamChain);
    }
}
