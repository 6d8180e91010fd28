package io.meshca.agent.rotation;

import io.meshca.agent.identity.AgentCredentials;
import io.meshca.agent.identity.AgentSvid;
import io.meshca.agent.retry.Backoff;
import io.meshca.agent.retry.RetryLog;
import io.meshca.agent.storage.AgentSvidStore;
import io.meshca.common.error.FailedPreconditionException;
import io.meshca.common.error.ResourceExhaustedException;
import io.meshca.common.pki.Csrs;
import io.meshca.common.pki.Keys;
import io.meshca.common.rotation.RotationPolicy;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Renews the agent's own SVID at half-life ({@link RotationPolicy}) with a new key, persists it, and
 * hands it to {@link AgentCredentials} so the next mTLS handshake with the server presents it. It
 * renews at once when the bundle names an authority of its chain as tainted. A failed renewal keeps
 * the current SVID and retries with backoff, sooner as the expiry nears. A server too busy to sign
 * is not a failure: the retry waits what it asked plus jitter ({@link Backoff#busyDelay}), and the
 * backoff does not grow.
 *
 * <p>An SVID that expired is presented no more ({@link AgentCredentials#validSvid}), and renewing it
 * would need it: the agent attests again if its node attestor can ({@link NodeReattestor}); if it
 * cannot (join_token), it logs an error saying what the operator must do and stops trying.
 *
 * <p>Runs on the given executor; {@code failures}, {@code gaveUp} and {@code announcedTaint} are
 * confined to it.
 */
public final class AgentSvidRotator implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AgentSvidRotator.class);

    private final AgentCredentials credentials;
    private final AgentSvidRenewer renewer;
    private final NodeReattestor reattestor;
    private final AgentSvidStore store;
    private final Clock clock;
    private final ScheduledExecutorService executor;
    private final RandomGenerator random;
    private final Backoff backoff;
    private final Consumer<AgentSvid> onRenewed;
    private final RetryLog.Throttled busyLog;
    private volatile boolean closed;
    /** The SVID expired and the node attestor cannot attest again: nothing is left to try. */
    private boolean gaveUp;

    private int failures;
    private Set<String> announcedTaint = Set.of();
    private volatile ScheduledFuture<?> next;

    /**
     * @param onRenewed called after each renewal or new attestation, once the new SVID is stored and in
     *     use; the agent uses it to move new calls to a fresh connection (see NodeAgent)
     */
    public AgentSvidRotator(
            AgentCredentials credentials,
            AgentSvidRenewer renewer,
            NodeReattestor reattestor,
            AgentSvidStore store,
            Clock clock,
            ScheduledExecutorService executor,
            RandomGenerator random,
            Backoff backoff,
            Consumer<AgentSvid> onRenewed) {
        this.credentials = credentials;
        this.renewer = renewer;
        this.reattestor = reattestor;
        this.store = store;
        this.clock = clock;
        this.executor = executor;
        this.random = random;
        this.backoff = backoff;
        this.onRenewed = onRenewed;
        this.busyLog = new RetryLog.Throttled(clock, RetryLog.Throttled.BUSY_PERIOD);
    }

    /**
     * Schedules the first renewal. An SVID loaded from disk counts its lifetime from now, so an agent
     * restarted late in its SVID's life renews soon rather than at once.
     */
    public void start() {
        executor.execute(() -> scheduleRenewal(clock.instant()));
    }

    /**
     * The bundle names these X.509 authorities as tainted: if the agent SVID's chain carries one, it is
     * renewed at once. Only a list with an ID not announced before is looked at (the server repeats it
     * in every bundle it sends).
     */
    public void reissueIfTainted(Set<String> taintedAuthorityIds) {
        Set<String> ids = Set.copyOf(taintedAuthorityIds);
        executor.execute(() -> {
            boolean news = !announcedTaint.containsAll(ids);
            announcedTaint = ids;
            if (closed
                    || gaveUp
                    || !news
                    || !TaintedChains.carriesAny(credentials.svid().chain(), ids)) {
                return;
            }
            log.warn(
                    "the agent SVID (serial {}) carries a tainted authority of {}: renewing it now",
                    credentials.svid().serial(),
                    ids);
            cancelNext();
            renew();
        });
    }

    /**
     * Retries a failed renewal (or attestation) at once rather than at its next backoff step: the
     * connection to the server is back. Does nothing while no renewal is failing.
     */
    public void retryNow() {
        executor.execute(() -> {
            if (closed || gaveUp || failures == 0) {
                return;
            }
            cancelNext();
            renew();
        });
    }

    private void scheduleRenewal(Instant issuedAt) {
        Instant renewAt =
                RotationPolicy.renewAt(issuedAt, credentials.svid().notAfter(), RotationPolicy.jitter(random));
        schedule(Duration.between(clock.instant(), renewAt), this::renew);
    }

    private void schedule(Duration delay, Runnable task) {
        if (closed) {
            return;
        }
        next = executor.schedule(task, Math.max(0, delay.toMillis()), TimeUnit.MILLISECONDS);
    }

    private void renew() {
        if (closed) {
            return;
        }
        AgentSvid current = credentials.svid();
        if (current.isExpiredAt(clock.instant())) {
            attestAgain(current);
            return;
        }
        try {
            KeyPair key = Keys.generateEcP256();
            AgentSvid renewed = new AgentSvid(renewer.renew(Csrs.create(key)), key.getPrivate());
            store.saveSvid(renewed);
            credentials.updateSvid(renewed);
            failures = 0;
            log.info(
                    "renewed the agent SVID {}: serial {} (was {}), expires {}",
                    renewed.spiffeId(),
                    renewed.serial(),
                    current.serial(),
                    renewed.notAfter());
            scheduleRenewal(clock.instant());
            onRenewed.accept(renewed);
        } catch (ResourceExhaustedException e) {
            failures = 0;
            Duration untilExpiry = Duration.between(clock.instant(), current.notAfter());
            Duration retry = Backoff.busyDelay(e.retryAfter(), random.nextDouble(), untilExpiry);
            busyLog.retrying(
                    log, e, "keeping serial " + current.serial() + " (expires " + current.notAfter() + ")", retry);
            schedule(retry, this::renew);
        } catch (RuntimeException e) {
            Duration untilExpiry = Duration.between(clock.instant(), current.notAfter());
            Duration retry = backoff.delayBeforeExpiry(failures++, random.nextDouble(), untilExpiry);
            RetryLog.retrying(
                    log, e, "keeping serial " + current.serial() + " (expires " + current.notAfter() + ")", retry);
            schedule(retry, this::renew);
        }
    }

    private void attestAgain(AgentSvid expired) {
        NodeReattestor.Reattested attested;
        try {
            attested = reattestor.reattest();
        } catch (FailedPreconditionException e) {
            log.error(
                    "the agent SVID {} (serial {}) expired at {} and cannot be renewed: {}",
                    expired.spiffeId(),
                    expired.serial(),
                    expired.notAfter(),
                    e.getMessage());
            gaveUp = true;
            return;
        } catch (ResourceExhaustedException e) {
            failures = 0;
            Duration retry = Backoff.busyDelay(e.retryAfter(), random.nextDouble(), Duration.ZERO);
            busyLog.retrying(log, e, "attesting again: the agent SVID expired at " + expired.notAfter(), retry);
            schedule(retry, this::renew);
            return;
        } catch (RuntimeException e) {
            Duration retry = backoff.delay(failures++, random.nextDouble());
            RetryLog.retrying(log, e, "attesting again: the agent SVID expired at " + expired.notAfter(), retry);
            schedule(retry, this::renew);
            return;
        }
        store.save(attested.svid(), attested.bundle());
        credentials.updateBundle(attested.bundle());
        credentials.updateSvid(attested.svid());
        failures = 0;
        log.info(
                "attested again after the agent SVID expired: {} serial {}, expires {}",
                attested.svid().spiffeId(),
                attested.svid().serial(),
                attested.svid().notAfter());
        scheduleRenewal(clock.instant());
        onRenewed.accept(attested.svid());
    }

    private void cancelNext() {
        ScheduledFuture<?> pending = next;
        if (pending != null) {
            pending.cancel(false);
        }
    }

    @Override
    public void close() {
        closed = true;
        cancelNext();
    }
}
