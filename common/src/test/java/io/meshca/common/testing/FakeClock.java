package io.meshca.common.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Delayed;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The one fake clock of meshca's tests: a clock and a scheduler in one (like grpc-java's FakeClock).
 * Tasks run only when the test calls {@link #advance} or {@link #runDue}, on the test's thread, in
 * time order; periodic tasks are run at each of their times on the way.
 */
public final class FakeClock extends Clock {

    private Instant now;
    private long sequence;
    private final PriorityQueue<Task> tasks = new PriorityQueue<>();
    private final Scheduler scheduler = new Scheduler();

    public FakeClock(Instant start) {
        this.now = start;
    }

    public ScheduledExecutorService scheduler() {
        return scheduler;
    }

    @Override
    public synchronized Instant instant() {
        return now;
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }

    /** Runs the tasks that are due now (including those they schedule for now). */
    public void runDue() {
        advance(Duration.ZERO);
    }

    /** Moves time forward, running every task that falls due on the way at its own time. */
    public void advance(Duration duration) {
        Instant target;
        synchronized (this) {
            target = now.plus(duration);
        }
        for (int ran = 0; ; ran++) {
            if (ran > 100_000) {
                throw new IllegalStateException("tasks keep rescheduling themselves without time passing");
            }
            Task next;
            synchronized (this) {
                next = tasks.peek();
                if (next == null || next.at.isAfter(target)) {
                    // a task may itself have moved time past the target: time never goes back
                    if (target.isAfter(now)) {
                        now = target;
                    }
                    return;
                }
                tasks.poll();
                if (next.at.isAfter(now)) {
                    now = next.at;
                }
            }
            if (!next.isCancelled()) {
                next.run();
            }
        }
    }

    public synchronized int pendingTasks() {
        return (int) tasks.stream().filter(t -> !t.isCancelled()).count();
    }

    private Task add(Runnable runnable, Duration delay) {
        return add(
                () -> {
                    runnable.run();
                    return null;
                },
                delay,
                Duration.ZERO);
    }

    private synchronized Task add(Callable<?> callable, Duration delay, Duration period) {
        Task task = new Task(now.plus(delay), sequence++, callable, period);
        tasks.add(task);
        return task;
    }

    private synchronized void reschedule(Task task) {
        tasks.add(task);
    }

    private final class Task extends CompletableFuture<Object> implements ScheduledFuture<Object> {
        Instant at;
        long order;
        final Callable<?> callable;
        /** Zero for a one-shot task; else the time between runs (fixed rate and fixed delay alike). */
        final Duration period;

        Task(Instant at, long order, Callable<?> callable, Duration period) {
            this.at = at;
            this.order = order;
            this.callable = callable;
            this.period = period;
        }

        void run() {
            try {
                Object result = callable.call();
                if (period.isZero()) {
                    complete(result);
                } else {
                    at = at.plus(period);
                    synchronized (FakeClock.this) {
                        order = sequence++;
                    }
                    reschedule(this);
                }
            } catch (Exception e) {
                completeExceptionally(e);
            }
        }

        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(Duration.between(instant(), at));
        }

        @Override
        public int compareTo(Delayed other) {
            Task task = (Task) other;
            int byTime = at.compareTo(task.at);
            return byTime != 0 ? byTime : Long.compare(order, task.order);
        }
    }

    private final class Scheduler extends AbstractExecutorService implements ScheduledExecutorService {
        private volatile boolean shutdown;

        @Override
        public void execute(Runnable command) {
            add(command, Duration.ZERO);
        }

        @Override
        public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
            return add(command, Duration.ofNanos(unit.toNanos(delay)));
        }

        @Override
        @SuppressWarnings("unchecked")
        public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
            return (ScheduledFuture<V>) add(callable, Duration.ofNanos(unit.toNanos(delay)), Duration.ZERO);
        }

        @Override
        public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
            return periodic(command, initialDelay, period, unit);
        }

        @Override
        public ScheduledFuture<?> scheduleWithFixedDelay(
                Runnable command, long initialDelay, long delay, TimeUnit unit) {
            // tasks take no fake time to run, so a fixed delay and a fixed rate are the same schedule
            return periodic(command, initialDelay, delay, unit);
        }

        private ScheduledFuture<?> periodic(Runnable command, long initialDelay, long period, TimeUnit unit) {
            if (period <= 0) {
                throw new IllegalArgumentException("period must be positive: " + period);
            }
            Callable<Object> callable = () -> {
                command.run();
                return null;
            };
            return add(callable, Duration.ofNanos(unit.toNanos(initialDelay)), Duration.ofNanos(unit.toNanos(period)));
        }

        @Override
        public void shutdown() {
            shutdown = true;
        }

        @Override
        public List<Runnable> shutdownNow() {
            shutdown = true;
            return new ArrayList<>();
        }

        @Override
        public boolean isShutdown() {
            return shutdown;
        }

        @Override
        public boolean isTerminated() {
            return shutdown;
        }

        @Override
        public boolean awaitTermination(long timeout, TimeUnit unit) {
            return true;
        }
    }
}
