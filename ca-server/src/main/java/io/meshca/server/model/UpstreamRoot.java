package io.meshca.server.model;

import io.meshca.common.pki.KeyIdentifiers;
import java.security.cert.X509Certificate;
import java.util.Objects;

/**
 * A root of the upstream authority in the trust bundle. Tainted: agents re-issue every SVID chained to
 * it. Revoked: out of the bundle for good, even while the upstream still lists it.
 */
public record UpstreamRoot(X509Certificate certificate, boolean tainted, boolean revoked) {
    public UpstreamRoot {
        Objects.requireNonNull(certificate, "certificate");
    }

    public String subjectKeyId() {
        return KeyIdentifiers.authorityId(certificate);
    }

    public UpstreamRoot asTainted() {
        return new UpstreamRoot(certificate, true, revoked);
    }

    public UpstreamRoot asRevoked() {
        return new UpstreamRoot(certificate, tainted, true);
    }
}
