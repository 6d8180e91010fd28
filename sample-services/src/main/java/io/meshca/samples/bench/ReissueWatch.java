package io.meshca.samples.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * How long a taint takes to reach the workloads: from the taint call to each workload's java-spiffe
 * source holding an SVID no longer chained to the tainted key. The sources have no update callback, so
 * they are polled every {@link #POLL} (a volatile read each); that is the figures' resolution.
 */
final class ReissueWatch {

    static final Duration POLL = Duration.ofMillis(5);

    private final String keyId;
    private final List<Workload> affected;
    private final long startNanos;

    private ReissueWatch(String keyId, List<Workload> affected, long startNanos) {
        this.keyId = keyId;
        this.affected = affected;
        this.startNanos = startNanos;
    }

    /**
     * Call right before the taint: notes which workloads hold an SVID chained to {@code keyId} (only
     * those have something to re-issue, and only they are measured) and starts the clock.
     */
    static ReissueWatch before(String keyId, List<Workload> workloads) {
        List<Workload> affected =
                workloads.stream().filter(w -> w.chainedTo(keyId)).toList();
        return new ReissueWatch(keyId, affected, System.nanoTime());
    }

    List<Workload> affected() {
        return affected;
    }

    /**
     * Waits until none of the affected workloads holds an SVID chained to the key; records taint → new
     * SVID per workload into {@code latencies}.
     *
     * @throws IllegalStateException naming the workloads still chained to it after {@code timeout}
     */
    void await(Duration timeout, Latencies latencies) throws InterruptedException {
        List<Workload> waiting = new ArrayList<>(affected);
        long deadline = startNanos + timeout.toNanos();
        while (!waiting.isEmpty()) {
            long now = System.nanoTime();
            for (int i = waiting.size() - 1; i >= 0; i--) {
                if (!waiting.get(i).chainedTo(keyId)) {
                    latencies.record(now - startNanos);
                    waiting.remove(i);
                }
            }
            if (waiting.isEmpty()) {
                return;
            }
            if (now > deadline) {
                throw new IllegalStateException(waiting + " still hold SVIDs chained to the tainted authority " + keyId
                        + " " + timeout.toSeconds() + " s after the taint");
            }
            TimeUnit.NANOSECONDS.sleep(POLL.toNanos());
        }
    }
}
