package io.meshca.server.ca.jwt;

import io.meshca.server.ca.BundleStore;
import io.meshca.server.ca.keys.KeyManager;
import io.meshca.server.ca.keys.SigningKey;
import io.meshca.server.model.StoredJwtAuthority;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The trust domain's JWT signing keys in two slots, current and next. A key is
 * stored (and so published in the bundle, with a new bundle sequence) when it is prepared, before it
 * signs anything: validators have it by the time its first token reaches them. At start the newest
 * stored key whose private half the KeyManager still has and that is not about to expire is resumed,
 * so a restart keeps the key. Rotation is not scheduled yet; {@link #prepareNext()} and
 * {@link #activateNext()} are its two steps.
 */
public final class JwtKeySlots {

    private static final Logger log = LoggerFactory.getLogger(JwtKeySlots.class);
    /** A key that expires sooner than this is not resumed: tokens would be cut short. */
    static final Duration MIN_REMAINING = Duration.ofMinutes(10);

    private static final SecureRandom RANDOM = new SecureRandom();

    private final KeyManager keys;
    private final BundleStore store;
    private final JwtKeyType type;
    private final Duration keyTtl;
    private final Clock clock;
    private final AtomicReference<JwtSlot> current = new AtomicReference<>();
    private final AtomicReference<JwtSlot> next = new AtomicReference<>();

    public JwtKeySlots(KeyManager keys, BundleStore store, JwtKeyType type, Duration keyTtl, Clock clock) {
        this.keys = keys;
        this.store = store;
        this.type = type;
        this.keyTtl = keyTtl;
        this.clock = clock;
    }

    /** Resumes the stored key or creates (and publishes) one; call once before minting. */
    public void initialize() {
        Instant now = clock.instant();
        List<StoredJwtAuthority> stored = store.jwtAuthorities();
        for (int i = stored.size() - 1; i >= 0; i--) {
            StoredJwtAuthority a = stored.get(i);
            if (a.notAfter().isAfter(now.plus(MIN_REMAINING))) {
                Optional<SigningKey> key = keys.get(a.keyId());
                if (key.isPresent() && key.get().publicKey().equals(a.publicKey()) && algorithmMatches(key.get())) {
                    current.set(new JwtSlot(a, key.get()));
                    log.info("resumed JWT signing key {} ({}, expires {})", a.kid(), type, a.notAfter());
                    return;
                }
            }
        }
        JwtSlot created = create();
        current.set(created);
        log.info(
                "created JWT signing key {} ({}, expires {})",
                created.kid(),
                type,
                created.authority().notAfter());
    }

    /** Creates the next key and publishes it in the bundle; it does not sign until activated. */
    public JwtSlot prepareNext() {
        JwtSlot prepared = create();
        next.set(prepared);
        log.info(
                "prepared JWT signing key {} (expires {})",
                prepared.kid(),
                prepared.authority().notAfter());
        return prepared;
    }

    /**
     * Makes the prepared key current; the previous one stays in the bundle until it expires.
     *
     * @throws IllegalStateException if no key was prepared
     */
    public void activateNext() {
        JwtSlot prepared = next.getAndSet(null);
        if (prepared == null) {
            throw new IllegalStateException("no JWT signing key is prepared");
        }
        current.set(prepared);
        log.info("activated JWT signing key {}", prepared.kid());
    }

    /** The key that signs now. */
    public JwtSlot current() {
        JwtSlot slot = current.get();
        if (slot == null) {
            throw new IllegalStateException("JWT signing keys are not initialized");
        }
        return slot;
    }

    public Optional<JwtSlot> next() {
        return Optional.ofNullable(next.get());
    }

    /** The lifetime of every key these slots create. */
    public Duration keyTtl() {
        return keyTtl;
    }

    public JwtKeyType type() {
        return type;
    }

    private JwtSlot create() {
        String kid = newKid();
        SigningKey key = keys.generate("jwt-" + kid, type.keyType());
        StoredJwtAuthority authority = new StoredJwtAuthority(
                key.id(), kid, key.publicKey(), clock.instant().plus(keyTtl));
        store.addJwtAuthority(authority);
        return new JwtSlot(authority, key);
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
