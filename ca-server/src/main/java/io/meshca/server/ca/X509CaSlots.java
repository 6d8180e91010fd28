package io.meshca.server.ca;

import io.meshca.common.spiffe.TrustDomain;
import io.meshca.server.ca.keys.KeyManager;
import io.meshca.server.ca.keys.SigningKey;
import io.meshca.server.ca.signing.X509Authority;
import io.meshca.server.ca.upstream.MintedX509Ca;
import io.meshca.server.ca.upstream.UpstreamAuthority;
import io.meshca.server.model.AuthorityStatus;
import io.meshca.server.model.StoredAuthority;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This server's X.509 CAs in their slots — PREPARED, ACTIVE, OLD — kept in the datastore's journal so
 * that a restart resumes exactly the same state: no surprise rotation, a prepared CA stays prepared. A
 * new CA is certified by the {@link UpstreamAuthority} and published (PREPARED) before it signs anything.
 * Only authorities whose key the KeyManager holds are this server's; mutations are serialized, reads of
 * the active CA are a volatile read on the signing path.
 */
public final class X509CaSlots implements RotatingSlots {

    static final String KIND = "X.509";
    private static final Logger log = LoggerFactory.getLogger(X509CaSlots.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final TrustDomain trustDomain;
    private final KeyManager keys;
    private final UpstreamAuthority upstream;
    private final BundleStore store;
    private final Duration caTtl;
    private final Clock clock;
    private final Runnable onChange;
    private volatile Slot active;
    private volatile Slot prepared;

    /** A CA of this server with its key. */
    private record Slot(StoredAuthority stored, X509Authority authority) {}

    /**
     * @param onChange called after every change of the journal (the bundle must be re-read)
     */
    public X509CaSlots(
            TrustDomain trustDomain,
            KeyManager keys,
            UpstreamAuthority upstream,
            BundleStore store,
            Duration caTtl,
            Clock clock,
            Runnable onChange) {
        this.trustDomain = trustDomain;
        this.keys = keys;
        this.upstream = upstream;
        this.store = store;
        this.caTtl = caTtl;
        this.clock = clock;
        this.onChange = onChange;
    }

    /**
     * Resumes the journal: the ACTIVE CA if it is still valid, else the PREPARED one is activated, else a
     * new CA is created and activated. A journal of an older server (no slots yet) has its newest valid
     * CA adopted as ACTIVE.
     */
    public synchronized void initialize() {
        Instant now = clock.instant();
        List<Slot> own = ownSlots();
        Optional<Slot> activeSlot = newest(own, AuthorityStatus.ACTIVE, now);
        Optional<Slot> preparedSlot = newest(own, AuthorityStatus.PREPARED, now);
        boolean legacy = own.stream().noneMatch(s -> s.stored().status() != AuthorityStatus.OLD);
        if (activeSlot.isEmpty() && legacy) {
            activeSlot = newest(own, AuthorityStatus.OLD, now);
            activeSlot.ifPresent(
                    s -> log.info("adopting X.509 CA {} as ACTIVE", s.stored().authorityId()));
        }
        List<StoredAuthority> demoted = new ArrayList<>();
        for (Slot s : own) {
            boolean keep = activeSlot.map(a -> a == s).orElse(false)
                    || preparedSlot.map(p -> p == s).orElse(false);
            if (!keep && s.stored().status() != AuthorityStatus.OLD) {
                demoted.add(s.stored().withStatus(AuthorityStatus.OLD));
            }
        }
        if (activeSlot.isPresent()) {
            Slot a = activeSlot.get();
            if (a.stored().status() != AuthorityStatus.ACTIVE) {
                a = new Slot(a.stored().withStatus(AuthorityStatus.ACTIVE), a.authority());
                demoted.add(a.stored());
            }
            active = a;
            prepared = preparedSlot.orElse(null);
            if (!demoted.isEmpty()) {
                store.update(demoted);
            }
            log.info(
                    "resumed X.509 CA {} (expires {}){}",
                    a.stored().authorityId(),
                    a.stored().notAfter(),
                    prepared == null ? "" : ", prepared " + prepared.stored().authorityId());
        } else {
            if (!demoted.isEmpty()) {
                store.update(demoted);
            }
            if (preparedSlot.isPresent()) {
                prepared = preparedSlot.get();
                activatePrepared();
            } else {
                if (!own.isEmpty()) {
                    log.warn("every X.509 CA of this server expired while it was down; creating a new one that"
                            + " agents do not have yet: they need the new bundle (agent bundle, or re-attestation)");
                }
                active = create(AuthorityStatus.ACTIVE);
            }
        }
        onChange.run();
    }

    /** The CA that signs now. */
    public X509Authority active() {
        Slot a = active;
        if (a == null) {
            throw new IllegalStateException("the X.509 CA is not initialized");
        }
        return a.authority();
    }

    /** The active CA as the journal keeps it. */
    public StoredAuthority activeStored() {
        return active.stored();
    }

    public Optional<StoredAuthority> preparedStored() {
        Slot p = prepared;
        return p == null ? Optional.empty() : Optional.of(p.stored());
    }

    @Override
    public String kind() {
        return KIND + " CA";
    }

    @Override
    public Instant activeNotAfter() {
        return active.stored().notAfter();
    }

    @Override
    public Duration activeLifetime() {
        var cert = active.stored().certificate();
        return Duration.between(
                cert.getNotBefore().toInstant(), cert.getNotAfter().toInstant());
    }

    @Override
    public Optional<Instant> preparedAt() {
        return preparedStored().map(StoredAuthority::publishedAt);
    }

    /** Creates a CA and publishes it as PREPARED. */
    @Override
    public synchronized void prepare() {
        SlotRules.checkPrepare(KIND, preparedStored().map(StoredAuthority::authorityId));
        prepared = create(AuthorityStatus.PREPARED);
        onChange.run();
    }

    /** Operator's prepare: the new authority's state. */
    public synchronized StoredAuthority prepareNow() {
        prepare();
        return prepared.stored();
    }

    @Override
    public synchronized void activatePrepared() {
        Slot next = prepared;
        if (next == null) {
            throw new IllegalStateException("no X.509 CA is prepared");
        }
        activate(next.stored().authorityId());
    }

    /** Makes the prepared CA (named by its authority ID) active; the active one becomes OLD. */
    public synchronized StoredAuthority activate(String authorityId) {
        SlotRules.checkActivate(KIND, authorityId, preparedStored().map(StoredAuthority::authorityId));
        Slot next = prepared;
        Slot newActive = new Slot(next.stored().withStatus(AuthorityStatus.ACTIVE), next.authority());
        List<StoredAuthority> changed = new ArrayList<>();
        Slot previous = active;
        if (previous != null) {
            changed.add(previous.stored().withStatus(AuthorityStatus.OLD));
        }
        changed.add(newActive.stored());
        store.update(changed);
        active = newActive;
        prepared = null;
        log.info(
                "activated X.509 CA {} (expires {}){}",
                authorityId,
                newActive.stored().notAfter(),
                previous == null ? "" : "; " + previous.stored().authorityId() + " is now OLD");
        onChange.run();
        return newActive.stored();
    }

    /** Marks an OLD authority tainted: agents re-issue every SVID it signed. */
    public synchronized StoredAuthority taint(String authorityId) {
        StoredAuthority a = find(authorityId);
        SlotRules.checkTaint(KIND, authorityId, a.status(), a.tainted());
        StoredAuthority tainted = a.asTainted();
        store.update(List.of(tainted));
        log.warn("tainted X.509 CA {}: agents re-issue every SVID it signed", authorityId);
        onChange.run();
        return tainted;
    }

    /** Removes a tainted authority from the bundle. */
    public synchronized StoredAuthority revoke(String authorityId) {
        StoredAuthority a = find(authorityId);
        SlotRules.checkRevoke(KIND, authorityId, a.tainted());
        store.remove(a.keyId());
        log.warn("revoked X.509 CA {}: removed from the bundle", authorityId);
        onChange.run();
        return a;
    }

    /** Every authority still in the journal and valid: PREPARED, ACTIVE, then OLD ones newest first. */
    public List<StoredAuthority> state() {
        return SlotViews.inShowOrder(store.authorities(), clock.instant());
    }

    @Override
    public synchronized int pruneExpired() {
        List<StoredAuthority> expired = SlotViews.expiredOld(store.authorities(), clock.instant());
        expired.forEach(a -> store.remove(a.keyId()));
        if (!expired.isEmpty()) {
            onChange.run();
        }
        return expired.size();
    }

    private StoredAuthority find(String authorityId) {
        return SlotViews.find(KIND, store.authorities(), clock.instant(), authorityId);
    }

    private Slot create(AuthorityStatus status) {
        Instant now = clock.instant();
        // Random suffix: replicas sharing one database each add their own authority.
        String keyId = "x509-ca-" + now.toEpochMilli() + "-" + HexFormat.of().formatHex(randomBytes(4));
        SigningKey key = keys.generate(keyId);
        MintedX509Ca minted = upstream.mintX509Ca(trustDomain, key, caTtl);
        StoredAuthority stored =
                new StoredAuthority(keyId, minted.certificate(), minted.upstreamChain(), status, false, now);
        store.add(stored);
        log.info(
                "created {} X.509 CA {} for {} (serial {}, expires {}{}); published in the bundle",
                status,
                stored.authorityId(),
                trustDomain,
                minted.certificate().getSerialNumber().toString(16),
                stored.notAfter(),
                minted.upstreamChain().isEmpty() && stored.upstreamAuthorityId().isEmpty()
                        ? ", self-signed"
                        : ", signed by upstream " + stored.upstreamAuthorityId().orElse("?"));
        return new Slot(stored, new X509Authority(minted.certificate(), key, minted.upstreamChain()));
    }

    private List<Slot> ownSlots() {
        List<Slot> own = new ArrayList<>();
        for (StoredAuthority a : store.authorities()) {
            Optional<SigningKey> key = keys.get(a.keyId());
            if (key.isPresent() && key.get().publicKey().equals(a.certificate().getPublicKey())) {
                own.add(new Slot(a, new X509Authority(a.certificate(), key.get(), a.upstreamChain())));
            }
        }
        return own;
    }

    private static Optional<Slot> newest(List<Slot> slots, AuthorityStatus status, Instant now) {
        return SlotViews.newest(slots, Slot::stored, status, now);
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }
}
