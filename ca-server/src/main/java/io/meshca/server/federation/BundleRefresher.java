package io.meshca.server.federation;

import io.meshca.common.bundle.SpiffeBundle;
import io.meshca.common.error.MeshcaException;
import io.meshca.common.spiffe.TrustDomain;
import io.meshca.server.model.FederationRelationship;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps each federated bundle fresh: fetches it from its endpoint, stores it, and fetches again after
 * the document's refresh hint (clamped to [min, max]; the default when the document has none). A
 * failed fetch keeps the last good bundle and tries again after the minimum interval.
 */
public final class BundleRefresher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(BundleRefresher.class);
    static final Duration MAX_INTERVAL = Duration.ofHours(1);

    private final FederationStore relationships;
    private final FederatedBundles bundles;
    private final Function<FederationRelationship, SpiffeBundle> fetcher;
    private final ScheduledExecutorService scheduler;
    private final RefreshPolicy policy;
    private final Map<TrustDomain, ScheduledFuture<?>> scheduled = new ConcurrentHashMap<>();
    private volatile boolean closed;

    public BundleRefresher(
            FederationStore relationships,
            FederatedBundles bundles,
            Function<FederationRelationship, SpiffeBundle> fetcher,
            ScheduledExecutorService scheduler,
            RefreshPolicy policy) {
        this.relationships = Objects.requireNonNull(relationships, "relationships");
        this.bundles = Objects.requireNonNull(bundles, "bundles");
        this.fetcher = Objects.requireNonNull(fetcher, "fetcher");
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        this.policy = Objects.requireNonNull(policy, "policy");
    }

    /** The bounds on the refresh interval. */
    public record RefreshPolicy(Duration min, Duration fallback) {
        public RefreshPolicy {
            if (min.isNegative() || min.isZero() || fallback.compareTo(min) < 0) {
                throw new IllegalArgumentException("refresh interval bounds: 0 < min <= default");
            }
        }

        Duration next(Duration hint) {
            if (hint.isZero()) {
                return fallback;
            }
            Duration max = fallback.compareTo(MAX_INTERVAL) > 0 ? fallback : MAX_INTERVAL;
            return hint.compareTo(min) < 0 ? min : hint.compareTo(max) > 0 ? max : hint;
        }
    }

    /** Schedules every stored relationship at once (start-up). */
    public void start() {
        relationships.list().forEach(rel -> schedule(rel.trustDomain()));
    }

    /** Fetches the bundle of {@code trustDomain} now (in the background) and then on its refresh hint. */
    public void schedule(TrustDomain trustDomain) {
        reschedule(trustDomain, Duration.ZERO);
    }

    public void cancel(TrustDomain trustDomain) {
        ScheduledFuture<?> f = scheduled.remove(trustDomain);
        if (f != null) {
            f.cancel(false);
        }
    }

    /**
     * Fetches and stores the bundle now, in the caller's thread.
     *
     * @throws MeshcaException if the endpoint fails or the document is refused (the stored bundle stays)
     */
    public SpiffeBundle refreshNow(FederationRelationship rel) {
        try {
            SpiffeBundle fetched = fetcher.apply(rel);
            bundles.set(fetched);
            reschedule(rel.trustDomain(), policy.next(fetched.refreshHint()));
            return fetched;
        } catch (RuntimeException e) {
            reschedule(rel.trustDomain(), policy.min());
            throw e;
        }
    }

    private void run(TrustDomain trustDomain) {
        Optional<FederationRelationship> rel = relationships.get(trustDomain);
        if (rel.isEmpty()) {
            scheduled.remove(trustDomain);
            return; // deleted, perhaps by another replica
        }
        try {
            SpiffeBundle fetched = refreshNow(rel.get());
            log.debug("refreshed bundle of {} (sequence {})", trustDomain, fetched.sequence());
        } catch (MeshcaException e) {
            log.warn("cannot refresh the bundle of {}; keeping the last good one: {}", trustDomain, e.getMessage());
        } catch (RuntimeException e) {
            log.warn("cannot refresh the bundle of {}; keeping the last good one", trustDomain, e);
        }
    }

    private void reschedule(TrustDomain trustDomain, Duration delay) {
        if (closed) {
            return;
        }
        ScheduledFuture<?> next = scheduler.schedule(() -> run(trustDomain), delay.toMillis(), TimeUnit.MILLISECONDS);
        ScheduledFuture<?> previous = scheduled.put(trustDomain, next);
        if (previous != null && previous != next) {
            previous.cancel(false);
        }
    }

    @Override
    public void close() {
        closed = true;
        scheduled.values().forEach(f -> f.cancel(false));
        scheduled.clear();
    }
}
