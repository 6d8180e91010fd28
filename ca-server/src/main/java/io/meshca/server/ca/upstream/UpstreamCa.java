package io.meshca.server.ca.upstream;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The upstream CA as last read from its files and found good: immutable, replaced whole on a reload.
 *
 * @param signingCertificate the CA that signs meshca's CAs
 * @param signingKey its private key (never logged: {@link #toString()} leaves it out)
 * @param upstreamChain what goes above each minted CA: the signing CA first, up to (not including) the
 *     root; empty when the signing CA is the root
 * @param roots the roots the bundle must carry
 * @param notAfter the earliest NotAfter on the path from the signing CA to its root: no CA minted under
 *     it may outlive that
 */
record UpstreamCa(
        X509Certificate signingCertificate,
        PrivateKey signingKey,
        List<X509Certificate> upstreamChain,
        List<X509Certificate> roots,
        Instant notAfter) {

    UpstreamCa {
        Objects.requireNonNull(signingCertificate, "signingCertificate");
        Objects.requireNonNull(signingKey, "signingKey");
        upstreamChain = List.copyOf(upstreamChain);
        roots = List.copyOf(roots);
        Objects.requireNonNull(notAfter, "notAfter");
    }

    /** The signing CA's subject, for logs and messages. */
    String subject() {
        return signingCertificate.getSubjectX500Principal().getName();
    }

    /** The roots' subjects, for logs. */
    List<String> rootSubjects() {
        return roots.stream().map(r -> r.getSubjectX500Principal().getName()).toList();
    }

    @Override
    public String toString() {
        return "UpstreamCa[" + subject() + ", roots=" + rootSubjects() + ", notAfter=" + notAfter + "]";
    }
}
