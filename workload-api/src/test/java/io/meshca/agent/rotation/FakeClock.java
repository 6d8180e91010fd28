package io.meshca.agent.rotation;

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
 * A clock and a scheduler in one (like grpc-java's FakeClock): tasks run only when the test calls
 * {@link #advance} or {@link #runDue}, on the test's thread, in time order.
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

    private synchronized Task add(Runnable runnable, Duration delay) {
        Task task = new Task(now.plus(delay), sequence++, runnable);
        tasks.add(task);
        return task;
    }

    private final class Task extends CompletableFuture<Object> implements ScheduledFuture<Object> {
        final Instant at;
        final long order;
        final Runnable runnable;

        Task(Instant at, long order, Runnable runnable) {
            this.at = at;
            this.order = order;
            this.runnable = runnable;
        }

        void run() {
            try {
                runnable.run();
                complete(null);
            } catch (RuntimeException e) {
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
        public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
            throw new UnsupportedOperationException("not needed by the agent");
        }

        @Override
        public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
            throw new UnsupportedOperationException("not needed by the agent");
        }

        @Override
        public ScheduledFuture<?> scheduleWithFixedDelay(
                Runnable command, long initialDelay, long delay, TimeUnit unit) {
            throw new UnsupportedOperationException("not needed by the agent");
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
