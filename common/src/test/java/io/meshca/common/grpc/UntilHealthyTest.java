package io.meshca.common.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshca.common.testing.FakeClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** healthcheck -wait: check until healthy or the wait has passed, then say why not. */
class UntilHealthyTest {

    private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");

    private final FakeClock clock = new FakeClock(START);
    private final UntilHealthy until = new UntilHealthy(clock, clock::advance);
    private final List<Instant> checks = new ArrayList<>();
    private final List<Duration> timeouts = new ArrayList<>();

    private UntilHealthy.Check healthyFrom(Instant healthyAt) {
        return timeout -> {
            checks.add(clock.instant());
            timeouts.add(timeout);
            return clock.instant().isBefore(healthyAt)
                    ? Optional.of("cannot reach the server (check " + checks.size() + ")")
                    : Optional.empty();
        };
    }

    @Test
    void healthyAtOnce_checksOnce() throws Exception {
        assertThat(until.await(healthyFrom(START), Duration.ofSeconds(30), Duration.ofSeconds(5)))
                .isEmpty();

        assertThat(checks).containsExactly(START);
    }

    @Test
    void healthyAfterAWhile_isWaitedFor_checkingEveryInterval() throws Exception {
        Optional<String> result =
                until.await(healthyFrom(START.plusSeconds(2)), Duration.ofSeconds(30), Duration.ofSeconds(5));

        assertThat(result).isEmpty();
        assertThat(checks).hasSize(5).last().isEqualTo(START.plusSeconds(2));
        assertThat(clock.instant()).isEqualTo(START.plusSeconds(2));
    }

    @Test
    void neverHealthy_givesUpWhenTheWaitHasPassed_withTheLastReason() throws Exception {
        Optional<String> result = until.await(healthyFrom(Instant.MAX), Duration.ofSeconds(3), Duration.ofSeconds(5));

        assertThat(result).contains("cannot reach the server (check 7)");
        assertThat(clock.instant()).isEqualTo(START.plusSeconds(3));
        assertThat(checks).last().isEqualTo(START.plusSeconds(3));
    }

    @Test
    void eachCheck_isBoundedByWhatIsLeftOfTheWait_butGetsAMoment() throws Exception {
        until.await(healthyFrom(Instant.MAX), Duration.ofSeconds(3), Duration.ofSeconds(2));

        assertThat(timeouts.get(0)).isEqualTo(Duration.ofSeconds(2));
        assertThat(timeouts.get(timeouts.size() - 1)).isEqualTo(UntilHealthy.MIN_CHECK_TIMEOUT);
    }

    @Test
    void noWait_isASingleCheck() throws Exception {
        assertThat(until.await(healthyFrom(Instant.MAX), Duration.ZERO, Duration.ofSeconds(5)))
                .isPresent();

        assertThat(checks).hasSize(1);
    }
}
