package io.meshca.samples.bench;

import io.meshca.common.pki.KeyIdentifiers;
import io.spiffe.exception.BundleNotFoundException;
import io.spiffe.exception.SocketEndpointAddressException;
import io.spiffe.exception.X509SourceException;
import io.spiffe.spiffeid.SpiffeId;
import io.spiffe.svid.x509svid.X509Svid;
import io.spiffe.workloadapi.DefaultX509Source;
import io.spiffe.workloadapi.X509Source;
import java.io.IOException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * One workload of the rotation bench: its SPIFFE ID and the java-spiffe {@link X509Source} that holds
 * its SVID and trust bundle, fed by the agent's Workload API. Every workload of the bench runs in this
 * process under one uid, so the agent sends each stream every identity; the source keeps this one's.
 */
final class Workload implements AutoCloseable {

    private final String name;
    private final SpiffeId spiffeId;
    private final X509Source source;

    private Workload(String name, SpiffeId spiffeId, X509Source source) {
        this.name = name;
        this.spiffeId = spiffeId;
        this.source = source;
    }

    /**
     * Opens the workload's own Workload API stream and waits for its first SVID.
     *
     * @param workloadApi {@code unix:///abs/path} of the agent's socket
     * @throws IllegalStateException if no SVID for {@code spiffeId} arrives within {@code timeout}
     */
    static Workload open(String name, SpiffeId spiffeId, String workloadApi, Duration timeout) {
        Objects.requireNonNull(spiffeId, "spiffeId");
        DefaultX509Source.X509SourceOptions options = DefaultX509Source.X509SourceOptions.builder()
                .spiffeSocketPath(workloadApi)
                .initTimeout(timeout)
                .svidPicker(svids -> svids.stream()
                        .filter(svid -> svid.getSpiffeId().equals(spiffeId))
                        .findFirst()
                        .orElseThrow(() -> new IllegalStateException("the agent sent no SVID for " + spiffeId)))
                .build();
        try {
            return new Workload(name, spiffeId, DefaultX509Source.newSource(options));
        } catch (SocketEndpointAddressException | X509SourceException e) {
            throw new IllegalStateException(
                    "no X509-SVID for " + spiffeId + " from " + workloadApi + ": " + e.getMessage(), e);
        }
    }

    String name() {
        return name;
    }

    SpiffeId spiffeId() {
        return spiffeId;
    }

    X509Source source() {
        return source;
    }

    X509Svid svid() {
        return source.getX509Svid();
    }

    /**
     * Whether the SVID the source holds now depends on the authority whose subject key identifier is
     * {@code keyId}: a certificate of its chain is that authority, or was issued by it. The issuer of the
     * chain's last certificate is how a chain that stops below a root is tied to the root (the agent's
     * own test, which it applies to a taint).
     */
    boolean chainedTo(String keyId) {
        return chainedTo(svid().getChain(), Set.of(keyId));
    }

    static boolean chainedTo(List<X509Certificate> chain, Set<String> keyIds) {
        for (X509Certificate certificate : chain) {
            if (KeyIdentifiers.subjectKeyId(certificate)
                            .filter(keyIds::contains)
                            .isPresent()
                    || KeyIdentifiers.authorityKeyId(certificate)
                            .filter(keyIds::contains)
                            .isPresent()) {
                return true;
            }
        }
        return false;
    }

    /** The subject key identifier of the CA that signed the SVID the source holds now. */
    Optional<String> issuerKeyId() {
        return KeyIdentifiers.authorityKeyId(svid().getLeaf());
    }

    /** Whether the source's bundle of its own trust domain holds {@code authority}. */
    boolean trusts(X509Certificate authority) {
        return bundle().contains(authority);
    }

    /** The X.509 authorities of the source's bundle of its own trust domain. */
    Set<X509Certificate> bundle() {
        try {
            return source.getBundleForTrustDomain(spiffeId.getTrustDomain()).getX509Authorities();
        } catch (BundleNotFoundException e) {
            return Set.of();
        }
    }

    @Override
    public void close() {
        try {
            source.close();
        } catch (IOException | RuntimeException e) {
            // the stream is torn down with the bench
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
