package io.meshca.agent.rotation;

import io.meshca.agent.cache.AuthorizedEntry;
import io.meshca.agent.cache.IssuedSvid;
import io.meshca.agent.cache.SvidCache;
import io.meshca.agent.retry.Backoff;
import io.meshca.agent.retry.RetryLog;
import io.meshca.common.crypto.CryptoProvider;
import io.meshca.common.error.ResourceExhaustedException;
import io.meshca.common.rotation.RotationPolicy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps every authorized entry supplied with a valid workload SVID. An entry gets a signature when it
 * has no SVID yet, when it changed since its SVID was signed, when its SVID reached its renewal time
 * ({@link RotationPolicy}), or at once when its SVID's chain carries an authority the bundle names as
 * tainted ({@link #reissueTainted}); those go first, in their own batches. Each SVID gets a fresh EC
 * P-256 key, kept in memory only; CSRs go to the server in batches of at most {@code batchSize}.
 *
 * <p>All work runs on the given executor (use a single thread): {@code renewals} and {@code tainted}
 * are confined to it. A new entry from the watch triggers a run at once. A failed signature keeps the
 * old SVID in the cache while it is valid and is retried with backoff, sooner as its expiry nears
 * ({@link Backoff#delayBeforeExpiry}); at its expiry the cache withholds it ({@link SvidCache#dropExpired}).
 *
 * <p>A server that refuses a batch as busy (its signing queue is full) is not failing: the run stops
 * asking (the next batches would be refused too), and no batch is sent before the wait the server gave
 * plus jitter ({@link Backoff#busyDelay}) has passed — whatever triggers a run meanwhile. That wait is
 * logged once per {@link RetryLog.Throttled#BUSY_PERIOD}.
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
    private final Consumer<IssuedBatch> onIssued;
    private final CryptoProvider crypto = CryptoProvider.get();
    private final AtomicBoolean runPending = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();

    /** The tainted authority IDs last announced, and those the next run has yet to look for. */
    private final AtomicReference<Set<String>> announcedTaint = new AtomicReference<>(Set.of());

    private final AtomicReference<Set<String>> taintToScan = new AtomicReference<>();

    /** Per entry: when its SVID is due and which entry revision it was signed for. Executor-confined. */
    private final Map<String, Renewal> renewals = new HashMap<>();

    /** Entries whose SVID carries a tainted authority and is not re-issued yet. Executor-confined. */
    private final Set<String> tainted = new HashSet<>();

    private int consecutiveFailures;
    // the last failed signing call of the current run, reported with the retry it leads to
    private RuntimeException callError;
    // no signing call before this instant: the server said it was busy. Executor-confined.
    private Instant busyUntil = Instant.MIN;
    private final RetryLog.Throttled busyLog;
    private volatile ScheduledFuture<?> next;

    private record Renewal(Instant renewAt, long entryRevision) {}

    /** @param onIssued told of every batch of SVIDs stored in the cache; must return at once */
    public SvidRotator(
            SvidCache cache,
            SvidSigner signer,
            Clock clock,
            ScheduledExecutorService executor,
            RandomGenerator random,
            Backoff backoff,
            int batchSize,
            Consumer<IssuedBatch> onIssued) {
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
        this.onIssued = Objects.requireNonNull(onIssued, "onIssued");
        this.busyLog = new RetryLog.Throttled(clock, RetryLog.Throttled.BUSY_PERIOD);
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

    /**
     * The bundle names these X.509 authorities as tainted: every SVID whose chain carries one is
     * re-issued at once. The server repeats the list in every bundle it sends, so only a list with an ID
     * not announced before starts a search; SVIDs re-issued after an earlier one no longer match it.
     *
     * @param taintedAuthorityIds subject key identifiers, lowercase hex
     */
    public void reissueTainted(Set<String> taintedAuthorityIds) {
        Set<String> ids = Set.copyOf(taintedAuthorityIds);
        Set<String> before = announcedTaint.getAndSet(ids);
        if (!before.containsAll(ids)) {
            taintToScan.set(ids);
            trigger();
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
            scheduleNext(backoff.delay(consecutiveFailures - 1, random.nextDouble()));
        }
    }

    private void rotateDue() {
        Set<String> expired = cache.dropExpired();
        if (!expired.isEmpty()) {
            log.warn("withholding {} expired SVIDs until they are renewed: entries {}", expired.size(), expired);
        }
        List<AuthorizedEntry> entries = cache.entries();
        Set<String> ids = entries.stream().map(AuthorizedEntry::id).collect(Collectors.toSet());
        renewals.keySet().retainAll(ids);
        tainted.retainAll(ids);
        findTainted(entries);

        Instant now = clock.instant();
        List<AuthorizedEntry> taintedDue = new ArrayList<>();
        List<AuthorizedEntry> due = new ArrayList<>();
        for (AuthorizedEntry entry : entries) {
            if (tainted.contains(entry.id())) {
                taintedDue.add(entry);
            } else if (isDue(entry, now)) {
                due.add(entry);
            }
        }
        if (now.isBefore(busyUntil)) {
            // the server asked for this wait; expired SVIDs were withheld above all the same
            scheduleNext(Duration.between(now, busyUntil));
            return;
        }
        callError = null;
        List<AuthorizedEntry> failed = new ArrayList<>(signAll(taintedDue, true));
        failed.addAll(signAll(due, false));
        if (failed.isEmpty()) {
            consecutiveFailures = 0;
            scheduleNext(null);
            return;
        }
        Instant failedExpiry = earliestExpiry(failed);
        Duration untilExpiry = failedExpiry == null ? Duration.ZERO : Duration.between(clock.instant(), failedExpiry);
        if (callError instanceof ResourceExhaustedException busy) {
            // busy is not down: the next real failure starts the backoff from its first step
            consecutiveFailures = 0;
            Duration wait = Backoff.busyDelay(busy.retryAfter(), random.nextDouble(), untilExpiry);
            busyUntil = clock.instant().plus(wait);
            scheduleNext(wait);
            if (!closed.get()) {
                busyLog.retrying(log, busy, "keeping the current SVIDs", wait);
            }
            return;
        }
        consecutiveFailures++;
        Duration delay =
                scheduleNext(backoff.delayBeforeExpiry(consecutiveFailures - 1, random.nextDouble(), untilExpiry));
        if (callError != null && !closed.get()) {
            RetryLog.retrying(log, callError, "keeping the current SVIDs", delay);
        }
    }

    private void findTainted(List<AuthorizedEntry> entries) {
        Set<String> taint = taintToScan.getAndSet(null);
        if (taint == null) {
            return;
        }
        int before = tainted.size();
        for (AuthorizedEntry entry : entries) {
            cache.svid(entry.id())
                    .filter(svid -> TaintedChains.carriesAny(svid.chain(), taint))
                    .ifPresent(svid -> tainted.add(entry.id()));
        }
        log.warn(
                "authorities {} are tainted: re-issuing the {} SVIDs whose chain carries one",
                taint,
                tainted.size() - before);
    }

    private boolean isDue(AuthorizedEntry entry, Instant now) {
        Renewal renewal = renewals.get(entry.id());
        if (renewal == null || cache.svid(entry.id()).isEmpty()) {
            return true;
        }
        return renewal.entryRevision() != entry.revision() || RotationPolicy.isDue(now, renewal.renewAt());
    }

    /**
     * Signs the entries in batches; returns those that got no SVID. After a busy refusal the rest are
     * not sent: they count as failed, to be asked for after the server's wait.
     */
    private List<AuthorizedEntry> signAll(List<AuthorizedEntry> entries, boolean replacingTainted) {
        List<AuthorizedEntry> failed = new ArrayList<>();
        for (int from = 0; from < entries.size(); from += batchSize) {
            if (callError instanceof ResourceExhaustedException) {
                failed.addAll(entries.subList(from, entries.size()));
                break;
            }
            List<AuthorizedEntry> batch = entries.subList(from, Math.min(entries.size(), from + batchSize));
            CsrBatch.Outcome outcome = CsrBatch.sign(signer, batch, crypto);
            failed.addAll(outcome.failed());
            outcome.callError().ifPresent(error -> callError = error);
            if (!outcome.issued().isEmpty()) {
                store(batch, outcome.issued(), replacingTainted);
            }
        }
        return failed;
    }

    private void store(List<AuthorizedEntry> batch, List<IssuedSvid> issued, boolean replacingTainted) {
        Instant issuedAt = clock.instant();
        Map<String, AuthorizedEntry> byId = new HashMap<>();
        batch.forEach(entry -> byId.put(entry.id(), entry));
        long renewed = 0;
        List<String> serials = new ArrayList<>(issued.size());
        Set<String> stillTainted = announcedTaint.get();
        for (IssuedSvid svid : issued) {
            if (cache.svid(svid.entryId()).isPresent()) {
                renewed++;
            }
            Instant renewAt = RotationPolicy.renewAt(issuedAt, svid.notAfter(), RotationPolicy.jitter(random));
            renewals.put(
                    svid.entryId(),
                    new Renewal(renewAt, byId.get(svid.entryId()).revision()));
            tainted.remove(svid.entryId());
            if (replacingTainted && TaintedChains.issuedByAny(svid, stillTainted)) {
                // the server still signs with a tainted authority: asking again at once would loop
                log.warn("the SVID re-issued for entry {} still carries a tainted authority", svid.entryId());
            }
            serials.add(svid.leaf().getSerialNumber().toString(16));
        }
        cache.storeSvids(issued);
        log.info(
                "signed {} SVIDs ({} new, {} renewed{}), serials {}",
                issued.size(),
                issued.size() - renewed,
                renewed,
                replacingTainted ? ", replacing tainted ones" : "",
                serials);
        onIssued.accept(new IssuedBatch(issued.stream().map(IssuedSvid::entryId).toList(), replacingTainted));
    }

    /** The earliest expiry of the current SVIDs of these entries, if any of them still has one. */
    private Instant earliestExpiry(List<AuthorizedEntry> entries) {
        Instant earliest = null;
        for (AuthorizedEntry entry : entries) {
            Optional<IssuedSvid> svid = cache.svid(entry.id());
            if (svid.isPresent() && (earliest == null || svid.get().notAfter().isBefore(earliest))) {
                earliest = svid.get().notAfter();
            }
        }
        return earliest;
    }

    /**
     * Schedules the next run: at the earliest renewal time, at the earliest expiry of a held SVID (to
     * withhold it), or after a failure at the retry delay, whichever comes first.
     *
     * @param retry the wait before retrying what failed, or null if the run failed nothing
     * @return the wait scheduled, or null if nothing is
     */
    private Duration scheduleNext(Duration retry) {
        if (next != null) {
            next.cancel(false);
        }
        boolean failed = retry != null;
        Instant now = clock.instant();
        Instant earliest = cache.earliestExpiry().orElse(null);
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
            delay = delay == null || retry.compareTo(delay) < 0 ? retry : delay;
        }
        if (delay == null || closed.get()) {
            return delay;
        }
        log.debug("next SVID rotation check in {}", delay);
        // round up: waking a millisecond early would find nothing due and spin until it is
        long millis = Math.max(0, delay.plusNanos(999_999).toMillis());
        next = executor.schedule(this::trigger, millis, TimeUnit.MILLISECONDS);
        return delay;
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
