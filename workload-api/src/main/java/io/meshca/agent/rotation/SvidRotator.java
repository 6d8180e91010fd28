package io.meshca.agent.rotation;

import io.meshca.agent.cache.AuthorizedEntry;
import io.meshca.agent.cache.IssuedSvid;
import io.meshca.agent.cache.SvidCache;
import io.meshca.agent.retry.Backoff;
import io.meshca.common.pki.Csrs;
import io.meshca.common.pki.Keys;
import io.meshca.common.rotation.RotationPolicy;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.random.RandomGenerator;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps every authorized entry supplied with a valid workload SVID. An entry gets a signature when it
 * has no SVID yet, when it changed since its SVID was signed, or when its SVID reached its renewal time
 * ({@link RotationPolicy}). Each SVID gets a fresh EC P-256 key, kept in memory only; CSRs go to the
 * server in batches of at most {@code batchSize}.
 *
 * <p>All work runs on the given executor (use a single thread): {@code renewals} is confined to it.
 * A new entry from the watch triggers a run at once. A failed signature keeps the old SVID in the
 * cache (it may still be valid for a while) and is retried with backoff.
 */
public final class SvidRotator implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SvidRotator.class);

    public static final int DEFAULT_BATCH_SIZE = 100;

    private final SvidCache cache;
    private final SvidSigner signer;
    private final Clock clock;
    private final ScheduledExecutorService executor;
    private final RandomGenerator random;
    private final Backoff backoff;
    private final int batchSize;
    private final AtomicBoolean runPending = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();

    /** Per entry: when its SVID is due and which entry revision it was signed for. Executor-confined. */
    private final Map<String, Renewal> renewals = new HashMap<>();

    private int consecutiveFailures;
    private volatile ScheduledFuture<?> next;

    private record Renewal(Instant renewAt, long entryRevision, String serial) {}

    public SvidRotator(
            SvidCache cache,
            SvidSigner signer,
            Clock clock,
            ScheduledExecutorService executor,
            RandomGenerator random,
            Backoff backoff,
            int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize < 1");
        }
        this.cache = cache;
        this.signer = signer;
        this.clock = clock;
        this.executor = executor;
        this.random = random;
        this.backoff = backoff;
        this.batchSize = batchSize;
    }

    /** Starts rotating: signs what is missing now, and whenever the watch brings new entries. */
    public void start() {
        cache.addEntryListener(ids -> trigger());
        trigger();
    }

    /** Asks for a run as soon as possible; runs requested while one is pending coalesce. */
    public void trigger() {
        if (!closed.get() && runPending.compareAndSet(false, true)) {
            try {
                executor.execute(this::run);
            } catch (RejectedExecutionException e) {
                // the agent is shutting down
                runPending.set(false);
            }
        }
    }

    private void run() {
        runPending.set(false);
        if (closed.get()) {
            return;
        }
        try {
            rotateDue();
        } catch (RuntimeException e) {
            // an unexpected failure must not end rotation: the next attempt is scheduled like a failed call
            log.error("SVID rotation failed unexpectedly; retrying", e);
            consecutiveFailures++;
            scheduleNext(true);
        }
    }

    private void rotateDue() {
        Instant now = clock.instant();
        List<AuthorizedEntry> entries = cache.entries();
        renewals.keySet().retainAll(entries.stream().map(AuthorizedEntry::id).collect(Collectors.toSet()));
        List<AuthorizedEntry> due = new ArrayList<>();
        for (AuthorizedEntry entry : entries) {
            if (isDue(entry, now)) {
                due.add(entry);
            }
        }
        boolean failed = false;
        for (int from = 0; from < due.size(); from += batchSize) {
            failed |= !signBatch(due.subList(from, Math.min(due.size(), from + batchSize)));
        }
        consecutiveFailures = failed ? consecutiveFailures + 1 : 0;
        scheduleNext(failed);
    }

    private boolean isDue(AuthorizedEntry entry, Instant now) {
        Renewal renewal = renewals.get(entry.id());
        if (renewal == null || cache.svid(entry.id()).isEmpty()) {
            return true;
        }
        return renewal.entryRevision() != entry.revision() || RotationPolicy.isDue(now, renewal.renewAt());
    }

    /** Signs one batch; true if every SVID in it was issued. */
    private boolean signBatch(List<AuthorizedEntry> batch) {
        Map<String, KeyPair> keys = new HashMap<>();
        List<SvidSigner.Request> requests = new ArrayList<>(batch.size());
        for (AuthorizedEntry entry : batch) {
            KeyPair key = Keys.generateEcP256();
            keys.put(entry.id(), key);
            requests.add(new SvidSigner.Request(entry.id(), Csrs.create(key)));
        }
        List<SvidSigner.Result> results;
        try {
            results = signer.sign(requests);
        } catch (RuntimeException e) {
            log.warn(
                    "signing {} SVIDs failed, keeping the current ones and retrying: {}", batch.size(), e.getMessage());
            return false;
        }
        Instant issuedAt = clock.instant();
        List<IssuedSvid> issued = new ArrayList<>();
        List<String> serials = new ArrayList<>();
        int failures = 0;
        for (int i = 0; i < batch.size(); i++) {
            AuthorizedEntry entry = batch.get(i);
            SvidSigner.Result result = i < results.size() ? results.get(i) : null;
            if (result == null || !result.ok() || !result.entryId().equals(entry.id())) {
                failures++;
                log.warn(
                        "no SVID for entry {} ({}): {}",
                        entry.id(),
                        entry.spiffeId(),
                        result == null ? "missing from the server's answer" : result.error());
                continue;
            }
            X509Certificate leaf = result.chain().get(0);
            String serial = leaf.getSerialNumber().toString(16);
            issued.add(new IssuedSvid(
                    entry.id(),
                    entry.spiffeId(),
                    result.chain(),
                    keys.get(entry.id()).getPrivate(),
                    entry.hint()));
            Instant renewAt =
                    RotationPolicy.renewAt(issuedAt, leaf.getNotAfter().toInstant(), RotationPolicy.jitter(random));
            renewals.put(entry.id(), new Renewal(renewAt, entry.revision(), serial));
            serials.add(serial);
        }
        if (!issued.isEmpty()) {
            long renewed = issued.stream()
                    .filter(svid -> cache.svid(svid.entryId()).isPresent())
                    .count();
            cache.storeSvids(issued);
            log.info(
                    "signed {} SVIDs ({} new, {} renewed), serials {}",
                    issued.size(),
                    issued.size() - renewed,
                    renewed,
                    serials);
        }
        return failures == 0;
    }

    private void scheduleNext(boolean failed) {
        if (next != null) {
            next.cancel(false);
        }
        Instant now = clock.instant();
        Instant earliest = null;
        for (Renewal renewal : renewals.values()) {
            // After a failed run a past renewal time belongs to an entry that just failed: the backoff
            // covers it. After a successful run it fell due while the batches were being signed, and is
            // due now — skipping it would leave the SVID to expire before the next renewal time.
            boolean eligible = renewal.renewAt().isAfter(now) || !failed;
            if (eligible && (earliest == null || renewal.renewAt().isBefore(earliest))) {
                earliest = renewal.renewAt();
            }
        }
        Duration delay =
                earliest == null ? null : earliest.isAfter(now) ? Duration.between(now, earliest) : Duration.ZERO;
        if (failed) {
            Duration retry = backoff.delay(consecutiveFailures - 1, random.nextDouble());
            delay = delay == null || retry.compareTo(delay) < 0 ? retry : delay;
        }
        if (delay == null || closed.get()) {
            return;
        }
        log.debug("next SVID rotation check in {}", delay);
        // round up: waking a millisecond early would find nothing due and spin until it is
        long millis = Math.max(0, delay.plusNanos(999_999).toMillis());
        next = executor.schedule(this::trigger, millis, TimeUnit.MILLISECONDS);
    }

    /** The renewal time chosen for an entry's current SVID, for tests and diagnostics. */
    Instant renewAt(String entryId) {
        Renewal renewal = renewals.get(entryId);
        return renewal == null ? null : renewal.renewAt();
    }

    @Override
    public void close() {
        closed.set(true);
        ScheduledFuture<?> pending = next;
        if (pending != null) {
            pending.cancel(false);
        }
    }
}
