package io.meshca.agent.rotation;

import io.meshca.agent.identity.AgentCredentials;
import io.meshca.agent.identity.AgentSvid;
import io.meshca.agent.retry.Backoff;
import io.meshca.agent.storage.AgentSvidStore;
import io.meshca.common.pki.Csrs;
import io.meshca.common.pki.Keys;
import io.meshca.common.rotation.RotationPolicy;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Renews the agent's own SVID at half-life ({@link RotationPolicy}) with a new key, persists it, and
 * hands it to {@link AgentCredentials} so the next mTLS handshake with the server presents it. A
 * failed renewal keeps the current SVID and retries with backoff.
 *
 * <p>Runs on the given executor; {@code failures} is confined to it.
 */
public final class AgentSvidRotator implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AgentSvidRotator.class);

    private final AgentCredentials credentials;
    private final AgentSvidRenewer renewer;
    private final AgentSvidStore store;
    private final Clock clock;
    private final ScheduledExecutorService executor;
    private final RandomGenerator random;
    private final Backoff backoff;
    private final Consumer<AgentSvid> onRenewed;
    private volatile boolean closed;
    private int failures;
    private volatile ScheduledFuture<?> next;

    /**
     * @param onRenewed called after each renewal, once the new SVID is stored and in use; the agent
     *     uses it to move new calls to a fresh connection (see NodeAgent)
     */
    public AgentSvidRotator(
            AgentCredentials credentials,
            AgentSvidRenewer renewer,
            AgentSvidStore store,
            Clock clock,
            ScheduledExecutorService executor,
            RandomGenerator random,
            Backoff backoff,
            Consumer<AgentSvid> onRenewed) {
        this.credentials = credentials;
        this.renewer = renewer;
        this.store = store;
        this.clock = clock;
        this.executor = executor;
        this.random = random;
        this.backoff = backoff;
        this.onRenewed = onRenewed;
    }

    /**
     * Schedules the first renewal. An SVID loaded from disk counts its lifetime from now, so an agent
     * restarted late in its SVID's life renews soon rather than at once.
     */
    public void start() {
        executor.execute(() -> scheduleRenewal(clock.instant()));
    }

    private void scheduleRenewal(Instant issuedAt) {
        Instant renewAt =
                RotationPolicy.renewAt(issuedAt, credentials.svid().notAfter(), RotationPolicy.jitter(random));
        schedule(Duration.between(clock.instant(), renewAt));
    }

    private void schedule(Duration delay) {
        if (closed) {
            return;
        }
        next = executor.schedule(this::renew, Math.max(0, delay.toMillis()), TimeUnit.MILLISECONDS);
    }

    private void renew() {
        if (closed) {
            return;
        }
        AgentSvid current = credentials.svid();
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
        } catch (RuntimeException e) {
            Duration retry = backoff.delay(failures++, random.nextDouble());
            log.warn(
                    "renewing the agent SVID failed, keeping serial {} (expires {}), retrying in {}: {}",
                    current.serial(),
                    current.notAfter(),
                    retry,
                    e.getMessage());
            schedule(retry);
        }
    }

    @Override
    public void close() {
        closed = true;
        ScheduledFuture<?> pending = next;
        if (pending != null) {
            pending.cancel(false);
        }
    }
}
