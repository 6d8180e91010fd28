package io.meshca.server.ca.jwt;

import io.meshca.server.ca.BundleStore;
import io.meshca.server.ca.RotatingSlots;
import io.meshca.server.ca.SlotRules;
import io.meshca.server.ca.SlotViews;
import io.meshca.server.ca.keys.KeyManager;
import io.meshca.server.ca.keys.SigningKey;
import io.meshca.server.model.AuthorityStatus;
import io.meshca.server.model.StoredJwtAuthority;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The trust domain's JWT signing keys in their slots — PREPARED, ACTIVE, OLD — kept in the datastore's
 * journal like the X.509 CAs, so a restart resumes the same keys in the same slots. A key is stored (and
 * so published in the bundle, with a new bundle sequence) when it is prepared, before it signs anything:
 * validators have it by the time its first token reaches them. The operator's actions follow the same
 * rules as for X.509 authorities ({@link SlotRules}).
 */
public final class JwtKeySlots implements RotatingSlots {

    static final String KIND = "JWT";
    private static final Logger log = LoggerFactory.getLogger(JwtKeySlots.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final KeyManager keys;
    private final BundleStore store;
    private final JwtKeyType type;
    private final Duration keyTtl;
    private final Clock clock;
    private final Runnable onChange;
    private volatile JwtSlot current;
    private volatile JwtSlot next;

    public JwtKeySlots(KeyManager keys, BundleStore store, JwtKeyType type, Duration keyTtl, Clock clock) {
        this(keys, store, type, keyTtl, clock, () -> {});
    }

    /** @param onChange called after every change of the journal (the bundle must be re-read) */
    public JwtKeySlots(
            KeyManager keys, BundleStore store, JwtKeyType type, Duration keyTtl, Clock clock, Runnable onChange) {
        this.keys = keys;
        this.store = store;
        this.type = type;
        this.keyTtl = keyTtl;
        this.clock = clock;
        this.onChange = onChange;
    }

    /**
     * Resumes the journal: the ACTIVE key if still valid, else the PREPARED one is activated, else a new
     * key is created and activated. A journal of an older server has its newest valid key adopted.
     */
    public synchronized void initialize() {
        Instant now = clock.instant();
        List<JwtSlot> own = ownSlots();
        Optional<JwtSlot> active = newest(own, AuthorityStatus.ACTIVE, now);
        Optional<JwtSlot> prepared = newest(own, AuthorityStatus.PREPARED, now);
        if (active.isEmpty() && own.stream().allMatch(s -> s.authority().status() == AuthorityStatus.OLD)) {
            active = newest(own, AuthorityStatus.OLD, now);
        }
        List<StoredJwtAuthority> changed = new ArrayList<>();
        for (JwtSlot s : own) {
            boolean keep = active.map(a -> a == s).orElse(false)
                    || prepared.map(p -> p == s).orElse(false);
            if (!keep && s.authority().status() != AuthorityStatus.OLD) {
                changed.add(s.authority().withStatus(AuthorityStatus.OLD));
            }
        }
        if (active.isPresent()) {
            JwtSlot a = active.get();
            if (a.authority().status() != AuthorityStatus.ACTIVE) {
                a = new JwtSlot(a.authority().withStatus(AuthorityStatus.ACTIVE), a.key());
                changed.add(a.authority());
            }
            if (!changed.isEmpty()) {
                store.updateJwtAuthorities(changed);
            }
            current = a;
            next = prepared.orElse(null);
            log.info(
                    "resumed JWT signing key {} ({}, expires {})",
                    a.kid(),
                    type,
                    a.authority().notAfter());
        } else {
            if (!changed.isEmpty()) {
                store.updateJwtAuthorities(changed);
            }
            if (prepared.isPresent()) {
                next = prepared.get();
                activatePrepared();
            } else {
                current = create(AuthorityStatus.ACTIVE);
                log.info(
                        "created JWT signing key {} ({}, expires {})",
                        current.kid(),
                        type,
                        current.authority().notAfter());
            }
        }
        onChange.run();
    }

    /** Creates the next key and publishes it in the bundle; it does not sign until activated. */
    public synchronized JwtSlot prepareNext() {
        SlotRules.checkPrepare(KIND, preparedKid());
        next = create(AuthorityStatus.PREPARED);
        log.info(
                "prepared JWT signing key {} (expires {}); published in the bundle",
                next.kid(),
                next.authority().notAfter());
        onChange.run();
        return next;
    }

    @Override
    public void prepare() {
        prepareNext();
    }

    @Override
    public synchronized void activatePrepared() {
        if (next == null) {
            throw new IllegalStateException("no JWT signing key is prepared");
        }
        activate(next.kid());
    }

    /** Makes the prepared key (named by its kid) current; the current one becomes OLD. */
    public synchronized StoredJwtAuthority activate(String kid) {
        SlotRules.checkActivate(KIND, kid, preparedKid());
        JwtSlot newCurrent = new JwtSlot(next.authority().withStatus(AuthorityStatus.ACTIVE), next.key());
        List<StoredJwtAuthority> changed = new ArrayList<>();
        JwtSlot previous = current;
        if (previous != null) {
            changed.add(previous.authority().withStatus(AuthorityStatus.OLD));
        }
        changed.add(newCurrent.authority());
        store.updateJwtAuthorities(changed);
        current = newCurrent;
        next = null;
        log.info("activated JWT signing key {}", kid);
        onChange.run();
        return newCurrent.authority();
    }

    /** Taints an OLD key: agents drop the tokens it signed. */
    public synchronized StoredJwtAuthority taint(String kid) {
        StoredJwtAuthority a = find(kid);
        SlotRules.checkTaint(KIND, kid, a.status(), a.tainted());
        StoredJwtAuthority tainted = a.asTainted();
        store.updateJwtAuthorities(List.of(tainted));
        log.warn("tainted JWT signing key {}", kid);
        onChange.run();
        return tainted;
    }

    /** Removes a tainted key from the bundle: tokens it signed no longer validate. */
    public synchronized StoredJwtAuthority revoke(String kid) {
        StoredJwtAuthority a = find(kid);
        SlotRules.checkRevoke(KIND, kid, a.tainted());
        store.removeJwtAuthority(a.keyId());
        log.warn("revoked JWT signing key {}: removed from the bundle", kid);
        onChange.run();
        return a;
    }

    /** Every key still valid: PREPARED, ACTIVE, then OLD ones newest first. */
    public List<StoredJwtAuthority> state() {
        return SlotViews.inShowOrder(store.jwtAuthorities(), clock.instant());
    }

    @Override
    public synchronized int pruneExpired() {
        List<StoredJwtAuthority> expired = SlotViews.expiredOld(store.jwtAuthorities(), clock.instant());
        expired.forEach(a -> store.removeJwtAuthority(a.keyId()));
        if (!expired.isEmpty()) {
            onChange.run();
        }
        return expired.size();
    }

    /** The key that signs now. */
    public JwtSlot current() {
        JwtSlot slot = current;
        if (slot == null) {
            throw new IllegalStateException("JWT signing keys are not initialized");
        }
        return slot;
    }

    public Optional<JwtSlot> next() {
        return Optional.ofNullable(next);
    }

    @Override
    public String kind() {
        return "JWT key";
    }

    @Override
    public Instant activeNotAfter() {
        return current().authority().notAfter();
    }

    @Override
    public Duration activeLifetime() {
        return keyTtl;
    }

    @Override
    public Optional<Instant> preparedAt() {
        return next().map(s -> s.authority().publishedAt());
    }

    /** The lifetime of every key these slots create. */
    public Duration keyTtl() {
        return keyTtl;
    }

    public JwtKeyType type() {
        return type;
    }

    private Optional<String> preparedKid() {
        return next().map(JwtSlot::kid);
    }

    private StoredJwtAuthority find(String kid) {
        return SlotViews.find(KIND, store.jwtAuthorities(), clock.instant(), kid);
    }

    private JwtSlot create(AuthorityStatus status) {
        String kid = newKid();
        SigningKey key = keys.generate("jwt-" + kid, type.keyType());
        Instant now = clock.instant();
        StoredJwtAuthority authority =
                new StoredJwtAuthority(key.id(), kid, key.publicKey(), now.plus(keyTtl), status, false, now);
        store.addJwtAuthority(authority);
        return new JwtSlot(authority, key);
    }

    private List<JwtSlot> ownSlots() {
        List<JwtSlot> own = new ArrayList<>();
        for (StoredJwtAuthority a : store.jwtAuthorities()) {
            Optional<SigningKey> key = keys.get(a.keyId());
            if (key.isPresent() && key.get().publicKey().equals(a.publicKey()) && algorithmMatches(key.get())) {
                own.add(new JwtSlot(a, key.get()));
            }
        }
        return own;
    }

    private static Optional<JwtSlot> newest(List<JwtSlot> slots, AuthorityStatus status, Instant now) {
        return SlotViews.newest(slots, JwtSlot::authority, status, now);
    }

    private boolean algorithmMatches(SigningKey key) {
        return key.publicKey().getAlgorithm().equals(type == JwtKeyType.ES256 ? "EC" : "RSA");
    }

    /** 32 url-safe characters (192 random bits): also a valid KeyManager id suffix. */
    static String newKid() {
        byte[] b = new byte[24];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
