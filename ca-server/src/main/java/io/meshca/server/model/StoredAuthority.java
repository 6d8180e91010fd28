package io.meshca.server.model;

import io.meshca.common.pki.KeyIdentifiers;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An X.509 CA of the trust domain as the journal keeps it: the KeyManager id of its private key, its
 * certificate, the chain above it (issuer first, up to but not including the upstream root; empty for
 * a self-signed root), its slot, whether an operator tainted it, and when it was published.
 */
public record StoredAuthority(
        String keyId,
        X509Certificate certificate,
        List<X509Certificate> upstreamChain,
        AuthorityStatus status,
        boolean tainted,
        Instant publishedAt)
        implements SlottedAuthority {
    public StoredAuthority {
        Objects.requireNonNull(keyId, "keyId");
        Objects.requireNonNull(certificate, "certificate");
        upstreamChain = List.copyOf(upstreamChain);
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(publishedAt, "publishedAt");
    }

    /** The authority ID operators name it by: the certificate's subject key identifier in hex. */
    @Override
    public String authorityId() {
        return KeyIdentifiers.authorityId(certificate);
    }

    /** The subject key identifier of the upstream authority that signed it; empty for a self-signed root. */
    public Optional<String> upstreamAuthorityId() {
        if (certificate.getSubjectX500Principal().equals(certificate.getIssuerX500Principal())) {
            return Optional.empty();
        }
        return KeyIdentifiers.authorityKeyId(certificate);
    }

    @Override
    public Instant notAfter() {
        return certificate.getNotAfter().toInstant();
    }

    public StoredAuthority withStatus(AuthorityStatus newStatus) {
        return new StoredAuthority(keyId, certificate, upstreamChain, newStatus, tainted, publishedAt);
    }

    public StoredAuthority asTainted() {
        return new StoredAuthority(keyId, certificate, upstreamChain, status, true, publishedAt);
    }
}
