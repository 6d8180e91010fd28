package io.meshca.server.ca.upstream;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;

/**
 * A CA certificate from an {@link UpstreamAuthority}.
 *
 * <p>{@code upstreamChain} is what goes into every X509-SVID chain after the CA's own certificate: the
 * certificates above the CA, its issuer first, up to but not including the root (roots travel in the
 * bundle, from {@link UpstreamAuthority#x509Roots()}). It is empty both for a self-signed root
 * ({@code none}) and for a CA signed directly by an upstream root: emptiness does not mean self-signed.
 *
 * @param certificate the CA's own certificate
 * @param upstreamChain the certificates above it, issuer first, without the root
 */
public record MintedX509Ca(X509Certificate certificate, List<X509Certificate> upstreamChain) {
    public MintedX509Ca {
        Objects.requireNonNull(certificate, "certificate");
        upstreamChain = List.copyOf(upstreamChain);
    }

    /** True if the CA is its own root: the bundle must carry the certificate itself. */
    public boolean isSelfSigned() {
        return certificate.getSubjectX500Principal().equals(certificate.getIssuerX500Principal());
    }
}
