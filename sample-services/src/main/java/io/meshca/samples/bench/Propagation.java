package io.meshca.samples.bench;

import io.meshca.proto.server.v1.Entry;
import io.meshca.proto.server.v1.WatchAuthorizedResponse;
import io.meshca.server.api.admin.AdminClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Create → delivered, timed per entry: entries are created one after another at a steady rate through
 * one replica's admin API while the agents watch another replica, and each is timed from the start of
 * its create call until the watch of the agent it is parented to delivers it. The start of the call,
 * not its return: the entry is known by its SPIFFE ID before the server assigns its id, so a delivery
 * that overtakes the call's answer is still matched (and never timed negative).
 */
final class Propagation {

    /** What one round measured. */
    record Result(Latencies delivered, Latencies createCalls, int missing, int misdelivered) {}

    private record Pending(int agent, long startNanos) {}

    private final Map<String, Pending> pending = new ConcurrentHashMap<>();
    private final Latencies delivered = new Latencies();
    private final AtomicInteger misdelivered = new AtomicInteger();
    private volatile CountDownLatch outstanding = new CountDownLatch(0);

    /** Feed every message of every agent's watch here while a round runs. */
    void received(EntryWatch watch, WatchAuthorizedResponse message) {
        long now = System.nanoTime();
        for (Entry entry : message.getUpsertedList()) {
            Pending p = pending.get(entry.getSpiffeId());
            if (p == null) {
                continue;
            }
            if (p.agent() != watch.agent().index()) {
                misdelivered.incrementAndGet();
            } else if (pending.remove(entry.getSpiffeId(), p)) {
                synchronized (delivered) {
                    delivered.record(now - p.startNanos());
                }
                outstanding.countDown();
            }
        }
    }

    /**
     * Creates {@code count} entries at {@code perSecond} through {@code admin}, the {@code k}-th for agent
     * {@code agentFor(k)}, then waits up to {@code timeout} for the last deliveries.
     */
    Result run(AdminClient admin, int count, double perSecond, int agents, Duration timeout)
            throws InterruptedException {
        Latencies calls = new Latencies();
        outstanding = new CountDownLatch(count);
        long interval = (long) (1e9 / perSecond);
        long next = System.nanoTime();
        for (int k = 0; k < count; k++) {
            long wait = next - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            next += interval;
            int agent = agentFor(k, agents);
            var draft = SyncRegistry.draft(agent, "new-" + k, 100_000_000L + k);
            long start = System.nanoTime();
            pending.put(draft.spiffeId().toString(), new Pending(agent, start));
            admin.createEntry(draft);
            calls.record(System.nanoTime() - start);
        }
        outstanding.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        Latencies all;
        synchronized (delivered) {
            all = Latencies.merge(List.of(delivered));
        }
        return new Result(all, Latencies.merge(List.of(calls)), pending.size(), misdelivered.get());
    }

    /**
     * Spreads the new entries over the whole fleet rather than its first agents: a prime stride visits
     * every agent before it repeats one (unless the fleet is a multiple of the prime).
     */
    private static int agentFor(int k, int agents) {
        return (int) ((k * 7919L) % agents);
    }
}
