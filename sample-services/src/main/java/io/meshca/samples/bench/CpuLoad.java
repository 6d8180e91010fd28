package io.meshca.samples.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * Busy threads that keep the CPUs saturated while a bench measures, so that the figures show what the
 * mesh does on a machine with no idle core: every handshake, renewal and bundle push waits its turn.
 */
final class CpuLoad implements AutoCloseable {

    private final List<Thread> threads;
    private volatile boolean stopped;
    /** Written by every thread so that the JIT cannot drop their loops as dead code. */
    @SuppressWarnings("unused")
    private volatile long sink;

    private CpuLoad(int count) {
        List<Thread> started = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            Thread thread = new Thread(this::spin, "meshca-bench-load-" + (i + 1));
            thread.setDaemon(true);
            started.add(thread);
        }
        this.threads = List.copyOf(started);
    }

    /** Starts {@code count} busy threads; 0 starts none. */
    static CpuLoad start(int count) {
        if (count < 0) {
            throw new IllegalArgumentException("-load must be 0 or more, got " + count);
        }
        CpuLoad load = new CpuLoad(count);
        load.threads.forEach(Thread::start);
        return load;
    }

    private void spin() {
        long x = Thread.currentThread().getId();
        while (!stopped) {
            for (int i = 0; i < 1_000_000; i++) {
                x = x * 6364136223846793005L + 1442695040888963407L;
            }
            sink = x;
        }
    }

    int threads() {
        return threads.size();
    }

    @Override
    public void close() throws InterruptedException {
        stopped = true;
        for (Thread thread : threads) {
            thread.join();
        }
    }
}
