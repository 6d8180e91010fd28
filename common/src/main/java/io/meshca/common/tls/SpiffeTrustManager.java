package io.meshca.common.tls;

import io.meshca.common.pki.Certificates;
import io.meshca.common.spiffe.SpiffeId;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Arrays;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.Supplier;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Verifies a TLS peer as SPIFFE prescribes: the chain must lead (PKIX, no revocation) to one of the
 * trust domain's current X.509 authorities, and the leaf's SPIFFE ID must satisfy the authorizer.
 * There is no hostname check: the SPIFFE ID is the identity. The authorities are read from a supplier
 * at every handshake, because bundles rotate while the SslContext lives on.
 */
public final class SpiffeTrustManager extends X509ExtendedTrustManager {

    private final Supplier<List<X509Certificate>> authorities;
    private final Predicate<SpiffeId> authorizer;
    private final Clock clock;

    public SpiffeTrustManager(Supplier<List<X509Certificate>> authorities, Predicate<SpiffeId> authorizer) {
        this(authorities, authorizer, Clock.systemUTC());
    }

    /** {@code clock} is the validation time (tests use fixed clocks with certs of explicit validity). */
    public SpiffeTrustManager(
            Supplier<List<X509Certificate>> authorities, Predicate<SpiffeId> authorizer, Clock clock) {
        this.authorities = Objects.requireNonNull(authorities, "authorities");
        this.authorizer = Objects.requireNonNull(authorizer, "authorizer");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Verifies the chain (leaf first) and returns the peer's SPIFFE ID; throws a
     * {@link CertificateException} whose message names the reason.
     */
    public SpiffeId verify(X509Certificate[] chain) throws CertificateException {
        if (chain == null || chain.length == 0) {
            throw new CertificateException("peer presented no certificate");
        }
        List<X509Certificate> roots = authorities.get();
        if (roots == null || roots.isEmpty()) {
            throw new CertificateException("no X.509 authorities to verify the peer against");
        }
        validatePath(chain, roots);
        SpiffeId id = peerId(chain[0]);
        if (!authorizer.test(id)) {
            throw new CertificateException("peer SPIFFE ID " + id + " is not authorized");
        }
        return id;
    }

    private void validatePath(X509Certificate[] chain, List<X509Certificate> roots) throws CertificateException {
        Set<TrustAnchor> anchors = new HashSet<>();
        for (X509Certificate root : roots) {
            anchors.add(new TrustAnchor(root, null));
        }
        try {
            // The peer may include a root in its chain; PKIX wants the path without the anchor.
            List<X509Certificate> path =
                    Arrays.stream(chain).filter(c -> !roots.contains(c)).toList();
            if (path.isEmpty()) {
                throw new CertificateException("peer presented only a trust anchor, not a leaf");
            }
            CertPath certPath = CertificateFactory.getInstance("X.509").generateCertPath(path);
            PKIXParameters params = new PKIXParameters(anchors);
            params.setRevocationEnabled(false);
            params.setDate(Date.from(clock.instant()));
            CertPathValidator.getInstance("PKIX").validate(certPath, params);
        } catch (CertPathValidatorException e) {
            throw new CertificateException(
                    "peer certificate chain does not verify against the trust bundle: " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            if (e instanceof CertificateException ce) {
                throw ce;
            }
            throw new CertificateException("cannot verify peer certificate chain: " + e.getMessage(), e);
        }
    }

    private static SpiffeId peerId(X509Certificate leaf) throws CertificateException {
        Optional<SpiffeId> id;
        try {
            id = Certificates.spiffeId(leaf);
        } catch (RuntimeException e) {
            throw new CertificateException("peer certificate has no valid SPIFFE ID: " + e.getMessage(), e);
        }
        return id.orElseThrow(() -> new CertificateException("peer certificate has no SPIFFE ID (URI SAN)"));
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        verify(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        verify(chain);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        verify(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        verify(chain);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        verify(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        verify(chain);
    }

    /** The current authorities, so that a client advertises acceptable issuers. */
    @Override
    public X509Certificate[] getAcceptedIssuers() {
        List<X509Certificate> roots = authorities.get();
        return roots == null ? new X509Certificate[0] : roots.toArray(new X509Certificate[0]);
    }
}
