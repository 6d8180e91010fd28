package io.meshca.agent.endpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CallExecutorTest {

    private final CountDownLatch release = new CountDownLatch(1);
    private CallExecutor executor;

    @AfterEach
    void stop() {
        release.countDown();
        if (executor != null) {
            executor.close();
        }
    }

    private Runnable stuck(CountDownLatch started) {
        return () -> {
            started.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
    }

    @Test
    void runsEverything_onItsFewThreads() throws Exception {
        executor = new CallExecutor("test-calls", 2, Duration.ofSeconds(10));
        CountDownLatch done = new CountDownLatch(500);
        Set<String> threads = ConcurrentHashMap.newKeySet();
        for (int i = 0; i < 500; i++) {
            executor.execute(() -> {
                threads.add(Thread.currentThread().getName());
                done.countDown();
            });
        }

        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(threads).isNotEmpty().allMatch(name -> name.matches("test-calls-[12]"));
        assertThat(executor.overflowThreads()).isZero();
    }

    @Test
    void workQueuedBehindStuckThreads_isMovedOn_afterStallAfter() throws Exception {
        executor = new CallExecutor("test-calls", 2, Duration.ofMillis(50));
        CountDownLatch bothStuck = new CountDownLatch(2);
        executor.execute(stuck(bothStuck));
        executor.execute(stuck(bothStuck));
        assertThat(bothStuck.await(5, TimeUnit.SECONDS)).isTrue();

        CountDownLatch ran = new CountDownLatch(3);
        AtomicReference<String> thread = new AtomicReference<>();
        for (int i = 0; i < 3; i++) {
            executor.execute(() -> {
                thread.set(Thread.currentThread().getName());
                ran.countDown();
            });
        }

        // both workers are still held: only a move to other threads can run these
        assertThat(ran.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(release.getCount()).isOne();
        assertThat(thread.get()).startsWith("test-calls-overflow-");
    }

    @Test
    void workThatWaitsLessThanStallAfter_staysOnTheWorkers() throws Exception {
        executor = new CallExecutor("test-calls", 1, Duration.ofSeconds(30));
        CountDownLatch started = new CountDownLatch(1);
        executor.execute(stuck(started));
        assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
        CountDownLatch ran = new CountDownLatch(1);
        AtomicReference<String> thread = new AtomicReference<>();
        executor.execute(() -> {
            thread.set(Thread.currentThread().getName());
            ran.countDown();
        });

        assertThat(ran.await(200, TimeUnit.MILLISECONDS))
                .as("still queued behind the busy worker")
                .isFalse();
        release.countDown();
        assertThat(ran.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(thread.get()).isEqualTo("test-calls-1");
        assertThat(executor.overflowThreads()).isZero();
    }

    @Test
    void afterClose_newWorkIsRefused_andQueuedWorkStillRuns() throws Exception {
        executor = new CallExecutor("test-calls", 1, Duration.ofSeconds(30));
        CountDownLatch started = new CountDownLatch(1);
        executor.execute(stuck(started));
        assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
        CountDownLatch queuedRan = new CountDownLatch(1);
        executor.execute(queuedRan::countDown);

        executor.close();
        release.countDown();

        assertThat(queuedRan.await(5, TimeUnit.SECONDS)).isTrue();
        assertThatThrownBy(() -> executor.execute(() -> {})).isInstanceOf(RejectedExecutionException.class);
    }

    @Test
    void badSettings_areRefused() {
        assertThatThrownBy(() -> new CallExecutor("x", 0, Duration.ofMillis(1)))
                .hasMessage("threads must be at least 1");
        assertThatThrownBy(() -> new CallExecutor("x", 1, Duration.ZERO)).hasMessage("stallAfter must be positive");
    }
}
