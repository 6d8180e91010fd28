package io.meshca.agent.endpoint;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs the calls of the agent's unix-socket gRPC servers: a few threads taking work from one queue, and
 * any work that has waited {@code stallAfter} moved to threads of its own. So a caller whose attestation
 * hangs (its executable on a stuck NFS or FUSE mount, its memory map locked while {@code /proc/<pid>/cmdline}
 * is read) holds one of the few threads, and never the API: what queues behind it is moved on after at
 * most {@code stallAfter} plus one check.
 *
 * <p>Why not gRPC's default, a cached pool: in a burst of new connections it hands each piece of work to
 * a parked thread (a wake-up each) and grows to one thread per concurrent call — 51 threads and ~8 MB of
 * stacks and malloc arenas after the bench's bursts, and more CPU per connection than a few threads that
 * drain the queue without sleeping in between (docs/performance.md).
 */
final class CallExecutor implements Executor, AutoCloseable {

    /** Two per core, at least 4, at most 16: calls mostly compute, with short blocking /proc reads between. */
    static int defaultThreads() {
        return Math.min(16, Math.max(4, 2 * Runtime.getRuntime().availableProcessors()));
    }

    static final Duration DEFAULT_STALL_AFTER = Duration.ofMillis(100);

    private final ThreadPoolExecutor workers;
    private final ThreadPoolExecutor overflow;
    private final ScheduledThreadPoolExecutor watchdog;
    private final long stallAfterNanos;
    private final AtomicBoolean checkPending = new AtomicBoolean();

    CallExecutor(String name, int threads, Duration stallAfter) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1");
        }
        this.stallAfterNanos = Objects.requireNonNull(stallAfter, "stallAfter").toNanos();
        if (stallAfterNanos <= 0) {
            throw new IllegalArgumentException("stallAfter must be positive");
        }
        this.workers = new ThreadPoolExecutor(
                threads, threads, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), daemonThreads(name));
        this.overflow = new ThreadPoolExecutor(
                0,
                Integer.MAX_VALUE,
                10,
                TimeUnit.SECONDS,
                new SynchronousQueue<>(),
                daemonThreads(name + "-overflow"));
        this.watchdog = new ScheduledThreadPoolExecutor(1, daemonThreads(name + "-watchdog"));
        this.watchdog.setRemoveOnCancelPolicy(true);
    }

    @Override
    public void execute(Runnable command) {
        workers.execute(new Queued(Objects.requireNonNull(command, "command"), System.nanoTime()));
        if (!workers.getQueue().isEmpty()) {
            scheduleCheck();
        }
    }

    /** Threads currently running moved-on work (for tests and diagnostics). */
    int overflowThreads() {
        return overflow.getPoolSize();
    }

    private void scheduleCheck() {
        if (checkPending.compareAndSet(false, true)) {
            watchdog.schedule(this::moveStalledWork, stallAfterNanos, TimeUnit.NANOSECONDS);
        }
    }

    /**
     * Work is queued in arrival order, so everything from the head up to the first piece younger than
     * {@code stallAfter} has waited too long: the workers are all busy with something slow. It runs on
     * overflow threads instead; they exit after 10 s idle.
     */
    private void moveStalledWork() {
        long now = System.nanoTime();
        for (Runnable queued : workers.getQueue()) {
            Queued work = (Queued) queued;
            if (now - work.enqueuedAt < stallAfterNanos) {
                break;
            }
            if (workers.getQueue().remove(work)) {
                overflow.execute(work.command);
            }
        }
        checkPending.set(false);
        // work queued while this ran saw the check still pending and scheduled none
        if (!workers.getQueue().isEmpty()) {
            scheduleCheck();
        }
    }

    /** Stops taking work; work already queued or running is finished by the threads, which then exit. */
    @Override
    public void close() {
        watchdog.shutdownNow();
        workers.shutdown();
        overflow.shutdown();
    }

    private record Queued(Runnable command, long enqueuedAt) implements Runnable {
        @Override
        public void run() {
            command.run();
        }
    }

    private static ThreadFactory daemonThreads(String name) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, name + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
