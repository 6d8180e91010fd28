package io.meshca.server.ca;

import io.meshca.common.spiffe.TrustDomain;
import io.meshca.server.ca.keys.KeyManager;
import io.meshca.server.ca.keys.SigningKey;
import io.meshca.server.ca.signing.X509Authority;
import io.meshca.server.ca.upstream.MintedX509Ca;
import io.meshca.server.ca.upstream.UpstreamAuthority;
import io.meshca.server.model.StoredAuthority;
import io.meshca.server.model.StoredJwtAuthority;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds the active X.509 CA and the trust bundle. At start it resumes the newest stored authority
 * whose key the KeyManager still has and that is still valid, so a restart keeps the same CA; otherwise
 * it generates a CA key, has the {@link UpstreamAuthority} certify it ({@code none}: a self-signed root)
 * and stores the certificate. The bundle is every stored authority still valid — a list, so that
 * rotation (prepare/activate slots, a later issue) only adds entries.
 */
public final class CaManager {

    private static final Logger log = LoggerFactory.getLogger(CaManager.class);
    /** A CA that expires sooner than this is not resumed: SVIDs would be cut short. */
    private static final Duration MIN_REMAINING = Duration.ofMinutes(10);

    private final TrustDomain trustDomain;
    private final KeyManager keys;
    private final UpstreamAuthority upstream;
    private final BundleStore store;
    private final Duration caTtl;
    private final Clock clock;
    private final AtomicReference<X509Authority> active = new AtomicReference<>();
    private final AtomicReference<List<X509Certificate>> bundle = new AtomicReference<>(List.of());
    private final AtomicReference<List<StoredJwtAuthority>> jwtBundle = new AtomicReference<>(List.of());
    private final AtomicLong sequence = new AtomicLong();

    public CaManager(
            TrustDomain trustDomain,
            KeyManager keys,
            UpstreamAuthority upstream,
            BundleStore store,
            Duration caTtl,
            Clock clock) {
        this.trustDomain = trustDomain;
        this.keys = keys;
        this.upstream = upstream;
        this.store = store;
        this.caTtl = caTtl;
        this.clock = clock;
    }

    /** Resumes or creates the CA; call once before serving. */
    public void initialize() {
        Instant now = clock.instant();
        List<StoredAuthority> stored = store.authorities();
        Optional<X509Authority> resumed = Optional.empty();
        for (int i = stored.size() - 1; i >= 0 && resumed.isEmpty(); i--) {
            StoredAuthority a = stored.get(i);
            if (a.certificate().getNotAfter().toInstant().isAfter(now.plus(MIN_REMAINING))) {
                Optional<SigningKey> key = keys.get(a.keyId());
                if (key.isPresent()
                        && key.get().publicKey().equals(a.certificate().getPublicKey())) {
                    resumed = Optional.of(new X509Authority(a.certificate(), key.get(), List.of()));
                }
            }
        }
        if (resumed.isPresent()) {
            log.info(
                    "resumed X.509 CA {} (serial {}, expires {})",
                    resumed.get().key().id(),
                    resumed.get().certificate().getSerialNumber().toString(16),
                    resumed.get().certificate().getNotAfter().toInstant());
            active.set(resumed.get());
        } else {
            // Random suffix: replicas sharing one database each add their own authority.
            String keyId =
                    "x509-ca-" + now.toEpochMilli() + "-" + HexFormat.of().formatHex(randomBytes(4));
            SigningKey key = keys.generate(keyId);
            MintedX509Ca minted = upstream.mintX509Ca(trustDomain, key, caTtl);
            if (!minted.upstreamChain().isEmpty()) {
                // The bundle store keeps one certificate per authority, as a root: an intermediate's
                // chain would be lost on restart and its upstream root missing from the bundle.
                throw new IllegalStateException("the upstream authority returned an intermediate CA;"
                        + " the CA manager keeps self-signed roots only");
            }
            X509Certificate cert = minted.certificate();
            store.add(new StoredAuthority(keyId, cert));
            log.info(
                    "created self-signed X.509 CA {} for {} (serial {}, expires {})",
                    keyId,
                    trustDomain,
                    cert.getSerialNumber().toString(16),
                    cert.getNotAfter().toInstant());
            active.set(new X509Authority(cert, key, List.of()));
        }
        refreshBundle();
    }

    /** Re-reads the bundle from the store (other replicas may have added authorities). */
    public void refreshBundle() {
        Instant now = clock.instant();
        List<X509Certificate> valid = new ArrayList<>();
        for (StoredAuthority a : store.authorities()) {
            if (a.certificate().getNotAfter().toInstant().isAfter(now)) {
                valid.add(a.certificate());
            }
        }
        bundle.set(List.copyOf(valid));
        List<StoredJwtAuthority> jwt = new ArrayList<>();
        for (StoredJwtAuthority a : store.jwtAuthorities()) {
            if (a.notAfter().isAfter(now)) {
                jwt.add(a);
            }
        }
        jwtBundle.set(List.copyOf(jwt));
        sequence.set(store.sequence());
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        new SecureRandom().nextBytes(b);
        return b;
    }

    public X509Authority activeAuthority() {
        X509Authority a = active.get();
        if (a == null) {
            throw new IllegalStateException("CA is not initialized");
        }
        return a;
    }

    /** The trust bundle's X.509 authorities (roots), oldest first. */
    public List<X509Certificate> x509Authorities() {
        return bundle.get();
    }

    /** The bundle's JWT signing keys (current, prepared and old ones still valid), oldest first. */
    public List<StoredJwtAuthority> jwtAuthorities() {
        return jwtBundle.get();
    }

    /** The bundle's sequence as of the last refresh (read with the bundle, not per call). */
    public long bundleSequence() {
        return sequence.get();
    }

    public TrustDomain trustDomain() {
        return trustDomain;
    }
}
