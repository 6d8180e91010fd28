package io.meshca.samples.identity;

import io.spiffe.exception.BundleNotFoundException;
import io.spiffe.svid.x509svid.X509Svid;
import io.spiffe.workloadapi.X509Source;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Reports each new SVID of a source. java-spiffe's {@code DefaultX509Source} has no update callback,
 * so the current leaf is polled; reading it is a volatile read, so polling a few times a second costs
 * nothing.
 */
public final class SvidWatcher implements AutoCloseable {

    /** Told once per distinct leaf certificate, starting with the current one. */
    @FunctionalInterface
    public interface Listener {
        void svidChanged(SvidInfo svid);
    }

    private final X509Source source;
    private final Listener listener;
    private String lastSerial;
    private ScheduledFuture<?> task;

    /** @param source the SVID to watch, and the bundle that names the CA which signed it */
    public SvidWatcher(X509Source source, Listener listener) {
        this.source = Objects.requireNonNull(source, "source");
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    /** Checks now, then every {@code period} on {@code scheduler}. */
    public synchronized void start(ScheduledExecutorService scheduler, Duration period) {
        check();
        task = scheduler.scheduleWithFixedDelay(
                this::check, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Reports the current SVID if its serial differs from the last one reported. */
    public synchronized void check() {
        X509Svid svid = source.getX509Svid();
        String serial = SvidInfo.serialHex(svid.getLeaf());
        if (!serial.equals(lastSerial)) {
            lastSerial = serial;
            // only for a new SVID: finding its issuer verifies a signature, too dear for every poll
            listener.svidChanged(SvidInfo.of(svid, authorities(svid)));
        }
    }

    private Set<X509Certificate> authorities(X509Svid svid) {
        try {
            return source.getBundleForTrustDomain(svid.getSpiffeId().getTrustDomain())
                    .getX509Authorities();
        } catch (BundleNotFoundException e) {
            // the SVID's CA is then unknown (printed as such), which is what the demo should show
            return Set.of();
        }
    }

    @Override
    public synchronized void close() {
        if (task != null) {
            task.cancel(false);
        }
    }
}
