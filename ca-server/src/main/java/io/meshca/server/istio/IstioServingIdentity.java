package io.meshca.server.istio;

import io.meshca.common.pki.Keys;
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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The serving certificate of the Istio CA listener: the server's SPIFFE ID plus the configured DNS
 * names (istio-agent checks the hostname of {@code CA_ADDR}), issued by meshca's own CA for a key
 * generated and kept in memory, renewed at half of its remaining lifetime like the server's SVID.
 * The TLS key manager reads {@link #current()} at every handshake.
 */
public final class IstioServingIdentity implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(IstioServingIdentity.class);
    private static final Duration RETRY = Duration.ofSeconds(10);

    private final SpiffeId id;
    private final List<String> dnsNames;
    private final X509SvidSigner signer;
    private final Duration ttl;
    private final Clock clock;
    private final ScheduledExecutorService scheduler;
    private final AtomicReference<TlsIdentity> current = new AtomicReference<>();
    private volatile ScheduledFuture<?> next;

    public IstioServingIdentity(
            SpiffeId id,
            List<String> dnsNames,
            X509SvidSigner signer,
            Duration ttl,
            Clock clock,
            ScheduledExecutorService scheduler) {
        this.id = Objects.requireNonNull(id, "id");
        this.dnsNames = List.copyOf(dnsNames);
        this.signer = Objects.requireNonNull(signer, "signer");
        this.ttl = Objects.requireNonNull(ttl, "ttl");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    }

    /** Issues the first certificate (failing loudly if it cannot) and schedules renewals. */
    public void start() {
        schedule(renewalDelay(clock.instant(), issue()));
    }

    public TlsIdentity current() {
        return current.get();
    }

    /** Half of the remaining lifetime, at least a second. */
    static Duration renewalDelay(Instant now, Instant notAfter) {
        Duration half = Duration.between(now, notAfter).dividedBy(2);
        return half.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : half;
    }

    private Instant issue() {
        KeyPair key = Keys.generateEcP256();
        List<X509Certificate> chain = signer.sign(new SvidRequest(id, key.getPublic(), dnsNames, ttl));
        current.set(new TlsIdentity(key.getPrivate(), chain));
        Instant notAfter = chain.get(0).getNotAfter().toInstant();
        log.info(
                "Istio CA serving certificate for {} {} issued (serial {}, expires {})",
                id,
                dnsNames,
                chain.get(0).getSerialNumber().toString(16),
                notAfter);
        return notAfter;
    }

    private void renew() {
        try {
            schedule(renewalDelay(clock.instant(), issue()));
        } catch (RuntimeException e) {
            log.error("cannot renew the Istio CA serving certificate; retrying in {}", RETRY, e);
            schedule(RETRY);
        }
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
