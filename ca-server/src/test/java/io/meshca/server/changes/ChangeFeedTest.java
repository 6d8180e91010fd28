package io.meshca.server.changes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshca.server.model.Change;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ChangeFeedTest {

    private final ListChangeLog log = new ListChangeLog();
    private final List<Long> applied = new CopyOnWriteArrayList<>();
    private final AtomicInteger reloads = new AtomicInteger();
    private final AtomicLong nanos = new AtomicLong();
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor();
    private final ChangeFeed feed = new ChangeFeed(
            log,
            List.of(ChangeFeed.Stage.of(
                    batch -> batch.forEach(c -> applied.add(c.revision())), reloads::incrementAndGet)),
            thread,
            nanos::get);

    @AfterEach
    void stop() {
        feed.close();
        thread.shutdownNow();
    }

    @Test
    void appliesEveryChange_inRevisionOrder_andWakesListenersAfterwards() {
        AtomicLong seenByListener = new AtomicLong();
        feed.onApplied(() -> seenByListener.set(applied.size()));
        log.commit(1, 2, 3);
        feed.catchUpNow();
        assertThat(applied).containsExactly(1L, 2L, 3L);
        assertThat(feed.revision()).isEqualTo(3);
        assertThat(seenByListener.get()).isEqualTo(3);
    }

    @Test
    void readsInBatches_andAppliesThemAll() {
        long n = ChangeFeed.BATCH * 2 + 7;
        log.commit(LongStream.rangeClosed(1, n).toArray());
        feed.catchUpNow();
        assertThat(applied).hasSize((int) n);
        assertThat(feed.revision()).isEqualTo(n);
    }

    /**
     * Two transactions took revisions 3 and 4; 4 committed first. A reader that took "the newest revision
     * seen" as its position would skip 3 forever: the feed stops at the gap and applies 3 when it commits.
     */
    @Test
    void aChangeCommittedOutOfOrder_isNotSkipped() {
        log.commit(1, 2, 4);
        feed.catchUpNow();
        assertThat(applied).containsExactly(1L, 2L);
        assertThat(feed.revision()).isEqualTo(2);

        log.commit(3);
        feed.catchUpNow();
        assertThat(applied).containsExactly(1L, 2L, 3L, 4L);
        assertThat(reloads).hasValue(0);
    }

    @Test
    void aGapThatOutlivesTheWait_isReloadedOver_notSkippedSilently() {
        log.commit(1, 2, 5, 6);
        feed.catchUpNow();
        assertThat(applied).containsExactly(1L, 2L);

        nanos.addAndGet(ChangeFeed.GAP_WAIT.toNanos() - 1);
        feed.catchUpNow();
        assertThat(reloads).hasValue(0);
        assertThat(feed.revision()).isEqualTo(2);

        nanos.addAndGet(1);
        feed.catchUpNow();
        assertThat(reloads).hasValue(1);
        assertThat(applied).containsExactly(1L, 2L, 5L, 6L);
        assertThat(feed.revision()).isEqualTo(6);
    }

    @Test
    void whileTheDatabaseIsAway_keepsItsRevision_andCatchesUpWhenItReturns() {
        log.commit(1);
        feed.catchUpNow();
        log.failWith(new IllegalStateException("connection refused"));
        log.commit(2, 3);
        assertThatThrownBy(feed::catchUpNow).hasMessage("connection refused");
        assertThat(feed.revision()).isEqualTo(1);

        log.failWith(null);
        feed.catchUpNow();
        assertThat(applied).containsExactly(1L, 2L, 3L);
    }

    @Test
    void aStageThatFails_leavesTheBatchToBeAppliedAgain() {
        AtomicInteger calls = new AtomicInteger();
        List<Long> second = new CopyOnWriteArrayList<>();
        ChangeFeed failingOnce = new ChangeFeed(
                log,
                List.of(ChangeFeed.Stage.of(
                        batch -> {
                            if (calls.getAndIncrement() == 0) {
                                throw new IllegalStateException("read failed");
                            }
                            batch.forEach(c -> second.add(c.revision()));
                        },
                        () -> {})),
                thread,
                nanos::get);
        log.commit(1, 2);
        assertThatThrownBy(failingOnce::catchUpNow).hasMessage("read failed");
        assertThat(failingOnce.revision()).isZero();
        failingOnce.catchUpNow();
        assertThat(second).containsExactly(1L, 2L);
        assertThat(failingOnce.revision()).isEqualTo(2);
    }

    @Test
    void wakeUps_catchUpOnTheFeedThread_andRetryAfterAFailure() throws Exception {
        CountDownLatch caughtUp = new CountDownLatch(1);
        feed.onApplied(caughtUp::countDown);
        log.failWith(new IllegalStateException("connection refused"));
        log.commit(1, 2);
        feed.start(0, Duration.ofHours(1));
        assertThat(log.firstRead.await(10, TimeUnit.SECONDS)).isTrue(); // it failed; a retry is scheduled
        assertThat(feed.revision()).isZero();
        log.failWith(null);
        assertThat(caughtUp.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(applied).containsExactly(1L, 2L);
    }

    @Test
    void onKindStages_seeOnlyTheirKind_oncePerBatch() {
        List<List<Change>> bundles = new CopyOnWriteArrayList<>();
        ChangeFeed.Stage stage = ChangeFeed.Stage.onKind(Change.Kind.BUNDLE, bundles::add, () -> {});
        Change bundle = new Change(2, Change.Kind.BUNDLE, "x509", null, Change.Op.UPSERT);
        stage.apply(List.of(ListChangeLog.entry(1), bundle, ListChangeLog.entry(3)));
        stage.apply(List.of(ListChangeLog.entry(4)));
        assertThat(bundles).containsExactly(List.of(bundle));
    }
}
