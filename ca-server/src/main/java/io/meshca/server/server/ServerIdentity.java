package io.meshca.server.server;

import io.meshca.common.pki.Keys;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.common.tls.TlsIdentity;
import io.meshca.server.ca.SvidIssuer;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's own X509-SVID ({@code spiffe://<td>/meshca/server}) for the agent API's TLS, with a key
 * kept in memory only, renewed at half of its lifetime. The TLS key manager reads {@link #current()} at
 * every handshake.
 */
public final class ServerIdentity implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ServerIdentity.class);

    private final SpiffeId serverId;
    private final SvidIssuer issuer;
    private final Duration ttl;
    private final Clock clock;
    private final ScheduledExecutorService scheduler;
    private final AtomicReference<TlsIdentity> current = new AtomicReference<>();
    private volatile ScheduledFuture<?> next;

    public ServerIdentity(
            SpiffeId serverId, SvidIssuer issuer, Duration ttl, Clock clock, ScheduledExecutorService scheduler) {
        this.serverId = serverId;
        this.issuer = issuer;
        this.ttl = ttl;
        this.clock = clock;
        this.scheduler = scheduler;
    }

    public SpiffeId id() {
        return serverId;
    }

    public TlsIdentity current() {
        return current.get();
    }

    /** Issues the first SVID and schedules renewals. */
    public void start() {
        renew();
    }

    /** The delay until renewal: half of the SVID's remaining lifetime, at least a second. */
    static Duration renewalDelay(Instant now, Instant notAfter) {
        Duration half = Duration.between(now, notAfter).dividedBy(2);
        return half.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : half;
    }

    private void renew() {
        try {
            KeyPair key = Keys.generateEcP256();
            List<X509Certificate> chain = issuer.issueServerSvid(serverId, key.getPublic(), ttl);
            current.set(new TlsIdentity(key.getPrivate(), chain));
            Instant notAfter = chain.get(0).getNotAfter().toInstant();
            log.info(
                    "server SVID {} issued (serial {}, expires {})",
                    serverId,
                    chain.get(0).getSerialNumber().toString(16),
                    notAfter);
            schedule(renewalDelay(clock.instant(), notAfter));
        } catch (RuntimeException e) {
            log.error("cannot renew the server SVID; retrying in 10 s", e);
            schedule(Duration.ofSeconds(10));
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
