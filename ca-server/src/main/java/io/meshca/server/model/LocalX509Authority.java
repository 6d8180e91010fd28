package io.meshca.server.model;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * An X.509 CA of the server in its slot, as the admin API shows it ({@code localauthority x509 show}).
 *
 * @param authorityId         the CA's subject key identifier, lowercase hex: what taint and revoke take
 * @param upstreamAuthorityId the subject key identifier of the upstream authority that signed the CA;
 *                            empty for a self-signed CA
 */
public record LocalX509Authority(
        String authorityId,
        AuthorityStatus status,
        Instant notAfter,
        Optional<String> upstreamAuthorityId,
        boolean tainted,
        X509Certificate certificate) {

    public LocalX509Authority {
        Objects.requireNonNull(authorityId, "authorityId");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(notAfter, "notAfter");
        Objects.requireNonNull(upstreamAuthorityId, "upstreamAuthorityId");
        Objects.requireNonNull(certificate, "certificate");
    }
}
