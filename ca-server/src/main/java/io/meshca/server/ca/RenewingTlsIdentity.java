package io.meshca.server.ca;

import io.meshca.common.pki.Keys;
import io.meshca.common.rotation.RotationPolicy;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.common.tls.TlsIdentity;
import io.meshca.server.ca.signing.SvidRequest;
import io.meshca.server.ca.signing.X509SvidSigner;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A TLS identity the server issues to itself from its own CA, for a key generated and kept in memory
 * only, and renews by {@link RotationPolicy}: the server's SVID on the agent API and the bundle
 * endpoint, and the Istio CA listener's serving certificate (the server's ID plus DNS names). The TLS
 * key managers read {@link #current()} at every handshake. Not audited: the certificate goes to no
 * caller, only into the server's own TLS.
 */
public final class RenewingTlsIdentity implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RenewingTlsIdentity.class);
    /** How soon a failed renewal is tried again. */
    static final Duration RETRY = Duration.ofSeconds(10);
    /** The shortest delay before a renewal, so that a certificate about to expire is not renewed in a loop. */
    static final Duration MIN_DELAY = Duration.ofSeconds(1);

    private final String name;
    private final SpiffeId id;
    private final List<String> dnsNames;
    private final X509SvidSigner signer;
    private final Duration ttl;
    private final Clock clock;
    private final ScheduledExecutorService scheduler;
    private final AtomicReference<TlsIdentity> current = new AtomicReference<>();
    private volatile ScheduledFuture<?> next;

    /**
     * @param name what the identity is for, in the logs (for example {@code server SVID})
     * @param dnsNames DNS SANs besides the SPIFFE ID; empty for an SVID
     * @param ttl lifetime of each certificate
     */
    public RenewingTlsIdentity(
            String name,
            SpiffeId id,
            List<String> dnsNames,
            X509SvidSigner signer,
            Duration ttl,
            Clock clock,
            ScheduledExecutorService scheduler) {
        this.name = Objects.requireNonNull(name, "name");
        this.id = Objects.requireNonNull(id, "id");
        this.dnsNames = List.copyOf(dnsNames);
        this.signer = Objects.requireNonNull(signer, "signer");
        this.ttl = Objects.requireNonNull(ttl, "ttl");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    }

    /**
     * Issues the first certificate and schedules its renewal.
     *
     * @throws RuntimeException if the first certificate cannot be issued: a server must not start
     *     listening without one
     */
    public void start() {
        scheduleRenewal(issue());
    }

    public SpiffeId id() {
        return id;
    }

    /** The identity to present now; never null once {@link #start()} returned. */
    public TlsIdentity current() {
        return current.get();
    }

    /**
     * The delay until the renewal of a certificate issued now: {@link RotationPolicy#renewAt} with the
     * given jitter, but at least {@link #MIN_DELAY}.
     */
    static Duration renewalDelay(Instant now, Instant notAfter, double jitter) {
        Duration delay = Duration.between(now, RotationPolicy.renewAt(now, notAfter, jitter));
        return delay.compareTo(MIN_DELAY) < 0 ? MIN_DELAY : delay;
    }

    private Instant issue() {
        KeyPair key = Keys.generateEcP256();
        List<X509Certificate> chain = signer.sign(new SvidRequest(id, key.getPublic(), dnsNames, ttl));
        current.set(new TlsIdentity(key.getPrivate(), chain));
        Instant notAfter = chain.get(0).getNotAfter().toInstant();
        log.info(
                "{} for {} {} issued (serial {}, expires {})",
                name,
                id,
                dnsNames,
                chain.get(0).getSerialNumber().toString(16),
                notAfter);
        return notAfter;
    }

    /**
     * Re-issues the certificate now, on the scheduler (an authority in its chain was tainted); the
     * scheduled renewal is replaced.
     */
    public void renewNow() {
        ScheduledFuture<?> f = next;
        if (f != null) {
            f.cancel(false);
        }
        schedule(Duration.ZERO);
    }

    private void renew() {
        try {
            scheduleRenewal(issue());
        } catch (RuntimeException e) {
            log.error("cannot renew the {}; retrying in {}", name, RETRY, e);
            schedule(RETRY);
        }
    }

    private void scheduleRenewal(Instant notAfter) {
        schedule(renewalDelay(clock.instant(), notAfter, RotationPolicy.jitter(ThreadLocalRandom.current())));
    }

    private void schedule(Duration delay) {
        if (!scheduler.isShutdown()) {
            next = scheduler.schedule(this::renew, delay.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public void close() {
        ScheduledFuture<?> f = next;
        if (f != null) {
            f.cancel(false);
        }
    }
}
