package io.meshca.samples.bench;

import io.grpc.Status;
import io.meshca.common.spiffe.SelectorSet;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.proto.workload.X509SVIDResponse;
import io.meshca.server.api.admin.AdminClient;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

/**
 * The Workload API figures: time from connecting to the first X509-SVID for N concurrent workloads,
 * and time from creating an entry on the server to its SVID arriving on an open stream.
 */
final class WorkloadApiBench {

    /** Percentiles of one measurement. */
    record Figures(int samples, double p50Millis, double p99Millis, long errors) {
        static Figures of(List<Latencies> parts, long errors) {
            Latencies all = Latencies.merge(parts);
            return new Figures(all.count(), all.percentileMillis(50), all.percentileMillis(99), errors);
        }
    }

    private static final Duration DEADLINE = Duration.ofSeconds(60);

    private final Path socket;

    WorkloadApiBench(Path socket) {
        this.socket = socket;
    }

    /**
     * {@code rounds} times: N workloads connect at once; each sample is connect → first FetchX509SVID
     * message holding at least one SVID. The N threads and channel objects are made, and the threads
     * parked, before the clock starts: the window holds the connection, attestation and first message,
     * not this process's thread start-ups.
     */
    Figures firstSvid(int clients, int rounds) throws InterruptedException {
        return measure(clients, rounds, false);
    }

    /**
     * {@code rounds} times: N workloads, each already connected before the clock starts, start their
     * FetchX509SVID stream at once; each sample is call start → first message holding an SVID. Beside
     * {@link #firstSvid} it tells the per-call cost (attestation, subscription) from the per-connection one.
     */
    Figures firstSvidConnected(int clients, int rounds) throws InterruptedException {
        return measure(clients, rounds, true);
    }

    /**
     * {@code rounds} times: N workloads connect at once through the {@link RawWorkloadClient}, one thread
     * driving all N connections; each sample runs from the burst's start to that connection's first
     * FetchX509SVID message holding an SVID. This is the agent's figure: grpc-java's channel set-up costs
     * milliseconds of CPU per connection, and a parked thread per client a wake-up and several context
     * switches, all on the agent's own two cores ({@link #firstSvid} includes both).
     */
    Figures firstSvidRaw(int clients, int rounds) throws IOException {
        RawWorkloadClient client = new RawWorkloadClient(socket);
        List<Latencies> parts = new ArrayList<>();
        long errors = 0;
        for (int round = 0; round < rounds; round++) {
            RawWorkloadClient.Burst burst = client.burst(clients, DEADLINE);
            parts.add(burst.latencies());
            errors += burst.errors();
        }
        return Figures.of(parts, errors);
    }

    /** Bursts of {@code clients} minimal connections, unmeasured, until {@code duration} has passed (at least one). */
    void warmUp(int clients, Duration duration) throws IOException {
        RawWorkloadClient client = new RawWorkloadClient(socket);
        long end = System.nanoTime() + duration.toNanos();
        do {
            client.burst(clients, DEADLINE);
        } while (System.nanoTime() < end);
    }

    private Figures measure(int clients, int rounds, boolean connectFirst) throws InterruptedException {
        List<Latencies> parts = new ArrayList<>();
        AtomicLong errors = new AtomicLong();
        try (WorkloadStreams streams = new WorkloadStreams(socket)) {
            for (int round = 0; round < rounds; round++) {
                Latencies latencies = new Latencies();
                parts.add(latencies);
                List<WorkloadStreams.Stream> prepared = new ArrayList<>(clients);
                try {
                    for (int c = 0; c < clients; c++) {
                        prepared.add(streams.prepare());
                    }
                    if (connectFirst) {
                        for (WorkloadStreams.Stream stream : prepared) {
                            stream.connect(DEADLINE);
                        }
                    }
                    measureRound(prepared, latencies, errors);
                } finally {
                    prepared.forEach(WorkloadStreams.Stream::close);
                }
            }
        }
        return Figures.of(parts, errors.get());
    }

    /** All of {@code streams} start their FetchX509SVID call at one signal; each records start → first SVID. */
    private static void measureRound(List<WorkloadStreams.Stream> streams, Latencies latencies, AtomicLong errors)
            throws InterruptedException {
        CountDownLatch parked = new CountDownLatch(streams.size());
        CountDownLatch go = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(streams.size());
        List<Thread> threads = new ArrayList<>(streams.size());
        // one per stream, set by whatever ends its sample first: its SVID, its error, or the deadline
        List<AtomicBoolean> ended = new ArrayList<>(streams.size());
        for (WorkloadStreams.Stream stream : streams) {
            AtomicBoolean first = new AtomicBoolean();
            ended.add(first);
            Thread t = new Thread(() -> {
                parked.countDown();
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                long t0 = System.nanoTime();
                stream.fetchX509Svid(
                        message -> {
                            if (message.getSvidsCount() > 0 && first.compareAndSet(false, true)) {
                                long elapsed = System.nanoTime() - t0;
                                synchronized (latencies) {
                                    latencies.record(elapsed);
                                }
                                done.countDown();
                            }
                        },
                        status -> {
                            if (first.compareAndSet(false, true)) {
                                errors.incrementAndGet();
                                done.countDown();
                            }
                        });
            });
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
        parked.await();
        go.countDown();
        if (!done.await(DEADLINE.toSeconds(), TimeUnit.SECONDS)) {
            // unanswered: an error once, not again when closing the stream cancels it
            ended.stream().filter(first -> first.compareAndSet(false, true)).forEach(first -> errors.incrementAndGet());
        }
        for (Thread t : threads) {
            t.join();
        }
    }

    /**
     * {@code times} times: create an entry for this process through the server's admin API; a sample is
     * the creation call → the open stream's first message carrying that entry's SVID.
     */
    Figures propagation(AdminClient admin, SpiffeId parent, SelectorSet selectors, int times)
            throws InterruptedException {
        Latencies latencies = new Latencies();
        long errors = 0;
        AtomicReference<X509SVIDResponse> latest = new AtomicReference<>();
        Object lock = new Object();
        try (WorkloadStreams streams = new WorkloadStreams(socket);
                WorkloadStreams.Stream stream = streams.open(
                        message -> {
                            latest.set(message);
                            synchronized (lock) {
                                lock.notifyAll();
                            }
                        },
                        status -> {})) {
            waitFor(latest, lock, m -> m != null && m.getSvidsCount() > 0);
            for (int i = 0; i < times; i++) {
                String id =
                        "spiffe://" + parent.trustDomain().name() + "/meshca-bench/propagation/" + System.nanoTime();
                long t0 = System.nanoTime();
                admin.createEntry(SpiffeId.parse(id), parent, selectors, Duration.ZERO);
                if (waitFor(
                        latest,
                        lock,
                        m -> m.getSvidsList().stream()
                                .anyMatch(s -> s.getSpiffeId().equals(id)))) {
                    latencies.record(System.nanoTime() - t0);
                } else {
                    errors++;
                }
            }
        }
        return Figures.of(List.of(latencies), errors);
    }

    private static boolean waitFor(
            AtomicReference<X509SVIDResponse> latest, Object lock, Predicate<X509SVIDResponse> done)
            throws InterruptedException {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        synchronized (lock) {
            while (latest.get() == null || !done.test(latest.get())) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(lock, left);
            }
        }
        return true;
    }

    /**
     * Blocks until the agent on {@code socket} serves this process an X509-SVID: an agent answers
     * PERMISSION_DENIED until it has synced the entries that name this process, so figures taken
     * earlier would measure the sync, not the Workload API.
     */
    static void awaitServed(Path socket) throws InterruptedException {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        try (WorkloadStreams streams = new WorkloadStreams(socket)) {
            while (true) {
                CountDownLatch answered = new CountDownLatch(1);
                AtomicBoolean served = new AtomicBoolean();
                try (WorkloadStreams.Stream stream = streams.open(
                        m -> {
                            if (m.getSvidsCount() > 0) {
                                served.set(true);
                            }
                            answered.countDown();
                        },
                        status -> answered.countDown())) {
                    answered.await(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                }
                if (served.get()) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the agent at " + socket + " served no SVID to this process within "
                            + DEADLINE.toSeconds() + "s");
                }
                Thread.sleep(50);
            }
        }
    }

    /** Opens {@code count} streams and waits until each has its first SVID; the caller then measures and closes. */
    static List<WorkloadStreams.Stream> holdStreams(WorkloadStreams streams, int count) throws InterruptedException {
        CountDownLatch served = new CountDownLatch(count);
        List<WorkloadStreams.Stream> open = new ArrayList<>(count);
        AtomicReference<Status> failure = new AtomicReference<>();
        for (int i = 0; i < count; i++) {
            AtomicBoolean first = new AtomicBoolean();
            open.add(streams.open(
                    m -> {
                        if (m.getSvidsCount() > 0 && first.compareAndSet(false, true)) {
                            served.countDown();
                        }
                    },
                    failure::set));
        }
        if (!served.await(DEADLINE.toSeconds(), TimeUnit.SECONDS)) {
            open.forEach(WorkloadStreams.Stream::close);
            throw new IllegalStateException(served.getCount() + " of " + count + " streams got no SVID"
                    + (failure.get() == null ? "" : " (" + failure.get() + ")"));
        }
        return open;
    }
}
