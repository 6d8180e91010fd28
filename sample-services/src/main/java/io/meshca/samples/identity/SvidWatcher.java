package io.meshca.samples.identity;

import io.spiffe.svid.x509svid.X509Svid;
import io.spiffe.svid.x509svid.X509SvidSource;
import java.time.Duration;
import java.util.Objects;
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

    private final X509SvidSource source;
    private final Listener listener;
    private String lastSerial;
    private ScheduledFuture<?> task;

    public SvidWatcher(X509SvidSource source, Listener listener) {
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
        SvidInfo info = SvidInfo.of(svid.getSpiffeId().toString(), svid.getLeaf());
        if (!info.serialHex().equals(lastSerial)) {
            lastSerial = info.serialHex();
            listener.svidChanged(info);
        }
    }

    @Override
    public synchronized void close() {
        if (task != null) {
            task.cancel(false);
        }
    }
}
