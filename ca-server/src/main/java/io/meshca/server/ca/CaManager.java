package io.meshca.server.ca;

import io.meshca.common.spiffe.TrustDomain;
import io.meshca.server.ca.keys.KeyManager;
import io.meshca.server.ca.signing.X509Authority;
import io.meshca.server.ca.upstream.UpstreamAuthority;
import io.meshca.server.model.StoredAuthority;
import io.meshca.server.model.StoredJwtAuthority;
import io.meshca.server.model.UpstreamRoot;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The trust domain's bundle as this server serves it, and the server's X.509 CA slots. The bundle's
 * X.509 part is every root still valid: the self-signed CAs of the journal (PREPARED, ACTIVE, OLD — of
 * every replica) and the upstream roots not revoked; intermediates travel in SVID chains, not in the
 * bundle. Tainted authorities stay in the bundle, listed as tainted, until revoked. Read on every call,
 * written only by {@link #refreshBundle()}.
 */
public final class CaManager {

    private final TrustDomain trustDomain;
    private final BundleStore store;
    private final Clock clock;
    private final X509CaSlots slots;
    private final UpstreamRoots upstreamRoots;
    private final List<Runnable> taintListeners = new CopyOnWriteArrayList<>();
    private volatile Bundle bundle = new Bundle(List.of(), List.of(), List.of(), List.of(), -1, Instant.MAX);

    /** One consistent read of the journal. */
    private record Bundle(
            List<X509Certificate> x509,
            List<String> taintedX509,
            List<StoredJwtAuthority> jwt,
            List<String> taintedJwt,
            long sequence,
            Instant firstExpiry) {}

    public CaManager(
            TrustDomain trustDomain,
            KeyManager keys,
            UpstreamAuthority upstream,
            BundleStore store,
            Duration caTtl,
            Clock clock) {
        this.trustDomain = trustDomain;
        this.store = store;
        this.clock = clock;
        this.slots = new X509CaSlots(trustDomain, keys, upstream, store, caTtl, clock, this::changed);
        this.upstreamRoots = new UpstreamRoots(upstream, store, slots, this::changed);
    }

    /** Publishes the upstream's roots, then resumes or creates the CA; call once before serving. */
    public void initialize() {
        upstreamRoots.sync();
        slots.initialize();
        refreshBundle();
    }

    /** Re-reads the bundle from the journal if it changed (other replicas add authorities too). */
    public void refreshBundle() {
        Bundle current = bundle;
        if (current.sequence() == store.sequence() && clock.instant().isBefore(current.firstExpiry())) {
            return;
        }
        reload();
    }

    /** Called after each change of the journal by this server. */
    private void changed() {
        reload();
    }

    /**
     * Re-reads the journal and tells the taint listeners if it names a tainted authority it did not name
     * at the previous read. Whoever reads first learns of the taint: the journal write that taints also
     * wakes the agents' watch sessions, whose {@link #refreshBundle()} may re-read it before the
     * tainting thread gets to {@link #changed()}; and a taint by another replica arrives by a refresh.
     */
    private void reload() {
        if (readJournal()) {
            taintListeners.forEach(Runnable::run);
        }
    }

    /** Replaces {@link #bundle}; true if it names a tainted authority the previous one did not. */
    private synchronized boolean readJournal() {
        Instant now = clock.instant();
        long sequence = store.sequence();
        Set<X509Certificate> roots = new LinkedHashSet<>();
        List<String> taintedX509 = new ArrayList<>();
        Instant firstExpiry = Instant.MAX;
        for (StoredAuthority a : store.authorities()) {
            if (!a.notAfter().isAfter(now)) {
                continue;
            }
            if (a.upstreamChain().isEmpty() && a.upstreamAuthorityId().isEmpty()) {
                roots.add(a.certificate());
                firstExpiry = min(firstExpiry, a.notAfter());
            }
            if (a.tainted()) {
                taintedX509.add(a.authorityId());
            }
        }
        for (UpstreamRoot r : store.upstreamRoots()) {
            Instant notAfter = r.certificate().getNotAfter().toInstant();
            if (r.revoked() || !notAfter.isAfter(now)) {
                continue;
            }
            roots.add(r.certificate());
            firstExpiry = min(firstExpiry, notAfter);
            if (r.tainted()) {
                taintedX509.add(r.subjectKeyId());
            }
        }
        List<StoredJwtAuthority> jwt = new ArrayList<>();
        List<String> taintedJwt = new ArrayList<>();
        for (StoredJwtAuthority a : store.jwtAuthorities()) {
            if (a.notAfter().isAfter(now)) {
                jwt.add(a);
                firstExpiry = min(firstExpiry, a.notAfter());
                if (a.tainted()) {
                    taintedJwt.add(a.kid());
                }
            }
        }
        Bundle previous = bundle;
        bundle = new Bundle(
                List.copyOf(roots),
                List.copyOf(taintedX509),
                List.copyOf(jwt),
                List.copyOf(taintedJwt),
                sequence,
                firstExpiry);
        return !previous.taintedX509().containsAll(taintedX509)
                || !previous.taintedJwt().containsAll(taintedJwt);
    }

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }

    /** Runs {@code listener} after an authority was tainted (the server re-issues its own SVIDs). */
    public void onTaint(Runnable listener) {
        taintListeners.add(listener);
    }

    /** The JWT slots changed the journal: re-read, and tell the taint listeners if a key was tainted. */
    public void journalChanged() {
        changed();
    }

    public X509Authority activeAuthority() {
        return slots.active();
    }

    public X509CaSlots x509Slots() {
        return slots;
    }

    public UpstreamRoots upstreamRoots() {
        return upstreamRoots;
    }

    /** The trust bundle's X.509 authorities (roots), oldest first. */
    public List<X509Certificate> x509Authorities() {
        return bundle.x509();
    }

    /** Subject key identifiers of tainted X.509 authorities (local or upstream) still in the bundle. */
    public List<String> taintedX509AuthorityIds() {
        return bundle.taintedX509();
    }

    /** The bundle's JWT signing keys (active, prepared and old ones still valid), oldest first. */
    public List<StoredJwtAuthority> jwtAuthorities() {
        return bundle.jwt();
    }

    public List<String> taintedJwtKeyIds() {
        return bundle.taintedJwt();
    }

    /** The bundle's sequence as of the last refresh (read with the bundle, not per call). */
    public long bundleSequence() {
        return bundle.sequence();
    }

    public TrustDomain trustDomain() {
        return trustDomain;
    }
}
