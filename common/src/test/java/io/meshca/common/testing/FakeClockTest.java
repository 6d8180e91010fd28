package io.meshca.common.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class FakeClockTest {

    private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void tasksRunOnlyWhenTimeIsAdvanced_atTheirOwnTime() {
        FakeClock clock = new FakeClock(START);
        List<Instant> ranAt = new ArrayList<>();
        clock.scheduler().schedule(() -> ranAt.add(clock.instant()), 10, TimeUnit.SECONDS);

        clock.advance(Duration.ofSeconds(9));
        assertThat(ranAt).isEmpty();
        clock.advance(Duration.ofSeconds(5));
        assertThat(ranAt).containsExactly(START.plusSeconds(10));
        assertThat(clock.instant()).isEqualTo(START.plusSeconds(14));
    }

    @Test
    void periodicTasksRunAtEachPeriod_untilCancelled() {
        FakeClock clock = new FakeClock(START);
        List<Instant> ranAt = new ArrayList<>();
        ScheduledFuture<?> task =
                clock.scheduler().scheduleAtFixedRate(() -> ranAt.add(clock.instant()), 1, 30, TimeUnit.SECONDS);

        clock.advance(Duration.ofSeconds(62));
        assertThat(ranAt).containsExactly(START.plusSeconds(1), START.plusSeconds(31), START.plusSeconds(61));
        task.cancel(false);
        clock.advance(Duration.ofMinutes(5));
        assertThat(ranAt).hasSize(3);
        assertThat(clock.pendingTasks()).isZero();
    }

    @Test
    void callablesCompleteWithTheirResult() throws Exception {
        FakeClock clock = new FakeClock(START);
        ScheduledFuture<String> result = clock.scheduler().schedule(() -> "done", 1, TimeUnit.MILLISECONDS);

        assertThat(result.isDone()).isFalse();
        clock.advance(Duration.ofMillis(1));
        assertThat(result.get()).isEqualTo("done");
    }
}
