package io.meshca.agent.cache;

import io.meshca.common.spiffe.SelectorSet;
import io.meshca.common.spiffe.TrustDomain;
import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * The agent's cache of authorized entries, their SVIDs and the bundles, and the
 * {@link WorkloadIdentitySource} the Workload API reads.
 *
 * <p>It never hands out an expired SVID: snapshots leave out every SVID whose NotAfter has passed by
 * the clock, and {@link #dropExpired} (which the rotator calls at each expiry) removes them, so that
 * the workloads holding one are told at once. An entry whose SVID expired is then left out of what
 * its workloads get, without counting as one whose first SVID is on its way.
 *
 * <p>Ownership: the watch ({@link #apply}) and the rotator ({@link #storeSvids}) write, under one
 * lock, and publish a new immutable {@link CacheState} through a volatile field; readers
 * ({@link #snapshot}, {@link #entries}, {@link #svid}) never lock. Listeners are called after the lock
 * is released, through one {@link Mailbox} per subscription, which keeps each subscription's calls
 * serialized and in state order.
 */
public final class SvidCache implements WorkloadIdentitySource {

    private final ReentrantLock lock = new ReentrantLock();
    private final SubscriberIndex subscribers = new SubscriberIndex();
    private final CountDownLatch synced = new CountDownLatch(1);
    private final List<Consumer<Set<String>>> entryListeners = new CopyOnWriteArrayList<>();
    private final Clock clock;
    private volatile CacheState state;

    /**
     * @param bundle the trust bundle known before the first sync (from attestation or storage)
     * @param clock what SVID expiry is judged by
     */
    public SvidCache(TrustBundle bundle, Clock clock) {
        this.state = CacheState.initial(bundle);
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public Subscription subscribe(SelectorSet selectors, Consumer<X509Snapshot> listener) {
        Objects.requireNonNull(selectors, "selectors");
        Objects.requireNonNull(listener, "listener");
        Mailbox mailbox = new Mailbox(listener);
        SubscriberIndex.Group group;
        lock.lock();
        try {
            group = subscribers.add(selectors, mailbox, state, clock.instant());
        } finally {
            lock.unlock();
        }
        mailbox.drain();
        return () -> {
            mailbox.close();
            lock.lock();
            try {
                subscribers.remove(group, mailbox);
            } finally {
                lock.unlock();
            }
        };
    }

    @Override
    public X509Snapshot snapshot(SelectorSet selectors) {
        CacheState current = state;
        return current.snapshotFor(current.matchingEntryIds(selectors), clock.instant());
    }

    /**
     * Applies one complete update from the watch: a snapshot replaces all entries (SVIDs of entries
     * that remain are kept), a change set upserts and deletes. The SVID of a deleted entry, or of an
     * entry whose SPIFFE ID changed, is dropped at once. Entry listeners then learn which entries are
     * new or changed, so that they get an SVID without waiting.
     */
    public void apply(EntryUpdate update) {
        Set<String> upserted = new HashSet<>();
        List<Mailbox> offered;
        lock.lock();
        try {
            CacheState old = state;
            Map<String, AuthorizedEntry> entries =
                    update.fullSnapshot() ? new HashMap<>() : new HashMap<>(old.entries());
            Set<String> touched = new HashSet<>();
            if (update.fullSnapshot()) {
                touched.addAll(old.entries().keySet());
            }
            for (String id : update.deletedEntryIds()) {
                if (entries.remove(id) != null) {
                    touched.add(id);
                }
            }
            for (AuthorizedEntry entry : update.upserted()) {
                AuthorizedEntry previous = entries.put(entry.id(), entry);
                if (!entry.equals(previous) && !entry.equals(old.entries().get(entry.id()))) {
                    touched.add(entry.id());
                    upserted.add(entry.id());
                } else {
                    touched.remove(entry.id());
                }
            }
            Map<String, IssuedSvid> svids = new HashMap<>(old.svids());
            svids.keySet().retainAll(entries.keySet());
            svids.entrySet()
                    .removeIf(e -> !e.getValue()
                            .spiffeId()
                            .equals(entries.get(e.getKey()).spiffeId()));

            TrustBundle bundle = update.bundleIfChanged().orElse(old.bundle());
            boolean bundleChanged = !bundle.equals(old.bundle());
            Map<TrustDomain, TrustBundle> federated = new HashMap<>(old.federatedBundles());
            Set<TrustDomain> federatedChanged = new HashSet<>();
            update.federatedBundles().forEach((domain, b) -> {
                TrustBundle previous = b.isEmpty() ? federated.remove(domain) : federated.put(domain, b);
                if (!b.equals(previous)) {
                    federatedChanged.add(domain);
                }
            });
            // a changed entry waits for its first SVID of the new kind; a deleted one is forgotten
            Set<String> expired = new HashSet<>(old.expiredEntryIds());
            expired.retainAll(entries.keySet());
            expired.removeAll(upserted);
            state = new CacheState(update.revision(), entries, svids, expired, bundle, federated);
            offered = subscribers.changed(state, touched, List.of(), bundleChanged, federatedChanged, clock.instant());
        } finally {
            lock.unlock();
        }
        offered.forEach(Mailbox::drain);
        if (update.fullSnapshot()) {
            synced.countDown();
        }
        if (!upserted.isEmpty()) {
            Set<String> ids = Set.copyOf(upserted);
            entryListeners.forEach(listener -> listener.accept(ids));
        }
    }

    /**
     * Stores freshly issued SVIDs, replacing older ones of the same entries. An SVID whose entry is
     * gone, or whose SPIFFE ID is no longer the entry's, is discarded (the entry changed while it was
     * being signed).
     *
     * @return how many were stored
     */
    public int storeSvids(Collection<IssuedSvid> issued) {
        List<Mailbox> offered;
        Set<String> changed = new HashSet<>();
        lock.lock();
        try {
            CacheState old = state;
            Map<String, IssuedSvid> svids = new HashMap<>(old.svids());
            for (IssuedSvid svid : issued) {
                AuthorizedEntry entry = old.entries().get(svid.entryId());
                if (entry != null && entry.spiffeId().equals(svid.spiffeId())) {
                    svids.put(svid.entryId(), svid);
                    changed.add(svid.entryId());
                }
            }
            if (changed.isEmpty()) {
                return 0;
            }
            Set<String> expired = new HashSet<>(old.expiredEntryIds());
            expired.removeAll(changed);
            state = old.withSvids(svids, expired);
            offered = subscribers.changed(state, List.of(), changed, false, Set.of(), clock.instant());
        } finally {
            lock.unlock();
        }
        offered.forEach(Mailbox::drain);
        return changed.size();
    }

    /**
     * Removes every SVID that has expired by now and tells the workloads that held one: the entry is
     * then served without an SVID until a new one is stored, and a workload left with none gets the
     * answer of one that has no identity.
     *
     * @return the entries whose SVID was dropped
     */
    public Set<String> dropExpired() {
        List<Mailbox> offered;
        Set<String> expired = new HashSet<>();
        lock.lock();
        try {
            Instant now = clock.instant();
            CacheState old = state;
            old.svids().forEach((id, svid) -> {
                if (svid.isExpiredAt(now)) {
                    expired.add(id);
                }
            });
            if (expired.isEmpty()) {
                return Set.of();
            }
            Map<String, IssuedSvid> svids = new HashMap<>(old.svids());
            svids.keySet().removeAll(expired);
            Set<String> expiredEntries = new HashSet<>(old.expiredEntryIds());
            expiredEntries.addAll(expired);
            state = old.withSvids(svids, expiredEntries);
            offered = subscribers.changed(state, List.of(), expired, false, Set.of(), now);
        } finally {
            lock.unlock();
        }
        offered.forEach(Mailbox::drain);
        return Set.copyOf(expired);
    }

    /** The earliest NotAfter of the SVIDs held, or empty if none: when {@link #dropExpired} is next due. */
    public Optional<Instant> earliestExpiry() {
        Instant earliest = null;
        for (IssuedSvid svid : state.svids().values()) {
            Instant notAfter = svid.notAfter();
            if (earliest == null || notAfter.isBefore(earliest)) {
                earliest = notAfter;
            }
        }
        return Optional.ofNullable(earliest);
    }

    /** Called with the IDs of entries that are new or changed, after each applied update. */
    public void addEntryListener(Consumer<Set<String>> listener) {
        entryListeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /** The revision of the last applied update (0 before the first), to resume the watch from. */
    public long revision() {
        return state.revision();
    }

    public List<AuthorizedEntry> entries() {
        return List.copyOf(state.entries().values());
    }

    public Optional<AuthorizedEntry> entry(String entryId) {
        return Optional.ofNullable(state.entries().get(entryId));
    }

    /**
     * The entry's SVID: the last one stored, until it expires and {@link #dropExpired} removes it.
     * Workloads never see it expired; the rotator renews by it.
     */
    public Optional<IssuedSvid> svid(String entryId) {
        return Optional.ofNullable(state.svids().get(entryId));
    }

    public TrustBundle bundle() {
        return state.bundle();
    }

    public boolean isSynced() {
        return synced.getCount() == 0;
    }

    /** Number of distinct selector sets subscribed (subscribers with equal selectors share one). */
    int subscriberGroupCount() {
        lock.lock();
        try {
            return subscribers.groupCount();
        } finally {
            lock.unlock();
        }
    }
}
