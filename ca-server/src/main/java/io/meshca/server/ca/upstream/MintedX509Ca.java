package io.meshca.server.ca.upstream;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;

/**
 * A CA certificate from an {@link UpstreamAuthority}.
 *
 * @param certificate the CA's own certificate
 * @param upstreamChain the certificates from its issuer up to (not including) the upstream root; empty for
 *     a self-signed root
 */
public record MintedX509Ca(X509Certificate certificate, List<X509Certificate> upstreamChain) {
    public MintedX509Ca {
        Objects.requireNonNull(certificate, "certificate");
        upstreamChain = List.copyOf(upstreamChain);
    }
}
