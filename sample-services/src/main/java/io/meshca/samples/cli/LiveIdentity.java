package io.meshca.samples.cli;

import io.meshca.samples.identity.SvidWatcher;
import io.meshca.samples.identity.WorkloadIdentity;
import io.meshca.samples.status.StatusLine;
import io.meshca.samples.status.StatusOut;
import io.spiffe.workloadapi.X509Source;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * A sample service's identity while it runs: its X509Source from the Workload API, and a watcher that
 * prints a status line for each new SVID (the demo runner counts rotations from them).
 */
public final class LiveIdentity implements AutoCloseable {

    private static final Duration WATCH_PERIOD = Duration.ofMillis(250);

    private final X509Source source;
    private final ScheduledExecutorService scheduler;
    private final SvidWatcher watcher;

    private LiveIdentity(X509Source source, ScheduledExecutorService scheduler, SvidWatcher watcher) {
        this.source = source;
        this.scheduler = scheduler;
        this.watcher = watcher;
    }

    /** Waits for the first SVID (see {@link WorkloadIdentity#open}), prints it, then watches for new ones. */
    public static LiveIdentity open(ServiceOptions options, StatusOut out) {
        X509Source source = WorkloadIdentity.open(options.workloadApiAddress(), options.initTimeout());
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
        SvidWatcher watcher = new SvidWatcher(source, svid -> out.print(StatusLine.Svid.of(svid)));
        watcher.start(scheduler, WATCH_PERIOD);
        return new LiveIdentity(source, scheduler, watcher);
    }

    public X509Source source() {
        return source;
    }

    /** A single thread for the service's own light periodic work (it shares it with the watcher). */
    public ScheduledExecutorService scheduler() {
        return scheduler;
    }

    @Override
    public void close() {
        watcher.close();
        scheduler.shutdownNow();
        WorkloadIdentity.close(source);
    }
}
