package io.meshca.samples.bench;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What the storm's agents saw, counted per SVID (CSR): admitted into the server's signing queue,
 * refused as busy (each refusal of a CSR counts, so one SVID may count several times), issued, or any
 * other failure. Thread-safe: outcomes arrive on gRPC's threads.
 */
final class StormCounts {

    private final long requests;
    private final long startNanos = System.nanoTime();
    private final CountDownLatch allIssued;
    private final AtomicLong admitted = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong rejectedCalls = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final AtomicReference<String> firstError = new AtomicReference<>();
    private final Latencies callLatencies = new Latencies();
    private final Latencies connectedCallLatencies = new Latencies();
    private final Latencies issuedAfterStart = new Latencies();
    private final Latencies waits = new Latencies();
    private volatile boolean over;

    StormCounts(long requests) {
        this.requests = requests;
        this.allIssued = new CountDownLatch(Math.toIntExact(requests));
    }

    void admitted(int csrs) {
        admitted.addAndGet(csrs);
    }

    /**
     * One SVID issued by a call that took {@code callNanos} from sending to the answer.
     *
     * @param firstCall whether it was the agent's first call, which waited for its new connection too
     */
    void completed(long callNanos, boolean firstCall) {
        long sinceStart = System.nanoTime() - startNanos;
        synchronized (this) {
            callLatencies.record(callNanos);
            if (!firstCall) {
                connectedCallLatencies.record(callNanos);
            }
            issuedAfterStart.record(sinceStart);
        }
        allIssued.countDown();
    }

    void rejected(int csrs) {
        rejected.addAndGet(csrs);
        rejectedCalls.incrementAndGet();
    }

    /** The wait an agent chose after a busy refusal (the server's delay plus jitter). */
    synchronized void waited(Duration wait) {
        waits.record(wait.toNanos());
    }

    void errors(int csrs) {
        errors.addAndGet(csrs);
    }

    void failedCall(Throwable error) {
        firstError.compareAndSet(null, String.valueOf(error));
    }

    /** Waits until every SVID is issued; false if {@code timeout} passed first. No retry is sent after. */
    boolean await(Duration timeout) throws InterruptedException {
        boolean all = allIssued.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        over = true;
        return all;
    }

    boolean isOver() {
        return over;
    }

    long requests() {
        return requests;
    }

    long admitted() {
        return admitted.get();
    }

    long rejected() {
        return rejected.get();
    }

    long rejectedCalls() {
        return rejectedCalls.get();
    }

    long completed() {
        return requests - allIssued.getCount();
    }

    long errors() {
        return errors.get();
    }

    /** The first failure other than a busy refusal, for the report; null if none. */
    String firstError() {
        return firstError.get();
    }

    /** Sorted copies for percentiles, taken once the storm is over. */
    synchronized Latencies callLatencies() {
        return Latencies.merge(List.of(callLatencies));
    }

    /** Admitted calls sent over an established connection (retries): the signing queue's wait alone. */
    synchronized Latencies connectedCallLatencies() {
        return Latencies.merge(List.of(connectedCallLatencies));
    }

    synchronized Latencies issuedAfterStart() {
        return Latencies.merge(List.of(issuedAfterStart));
    }

    synchronized Latencies waits() {
        return Latencies.merge(List.of(waits));
    }
}
