package io.meshca.samples.bench;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * When each of a known set of SVIDs (by entry ID) was first delivered after a start instant. Agents
 * report on their own rotation threads ({@link #delivered}); the bench waits on {@link #await} and then
 * reads the figures. Deliveries of entries outside the set, and second deliveries, are not counted.
 */
final class Deliveries {

    private final Set<String> expected;
    private final long startNanos;
    private final Map<String, Long> firstDelivery = new ConcurrentHashMap<>();
    private final CountDownLatch outstanding;

    /** @param startNanos {@link System#nanoTime()} at the start; each latency is measured from it */
    Deliveries(Set<String> expected, long startNanos) {
        this.expected = Set.copyOf(expected);
        this.startNanos = startNanos;
        this.outstanding = new CountDownLatch(this.expected.size());
    }

    /** These entries' SVIDs are in their agent's cache now. Cheap: called on the agents' threads. */
    void delivered(Iterable<String> entryIds) {
        long now = System.nanoTime();
        for (String id : entryIds) {
            if (expected.contains(id) && firstDelivery.putIfAbsent(id, now) == null) {
                outstanding.countDown();
            }
        }
    }

    /** Waits until every expected SVID was delivered; false if {@code timeout} passed first. */
    boolean await(Duration timeout) throws InterruptedException {
        return outstanding.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    int expected() {
        return expected.size();
    }

    int delivered() {
        return firstDelivery.size();
    }

    /** Start → delivery of every SVID delivered so far, sorted (merged). */
    Latencies latencies() {
        Latencies latencies = new Latencies();
        firstDelivery.values().forEach(at -> latencies.record(at - startNanos));
        return Latencies.merge(List.of(latencies));
    }
}
