package io.meshca.agent.retry;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class BackoffTest {

    static Stream<Arguments> backoffs() {
        Backoff backoff = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30));
        return Stream.of(
                // attempt, random, expected delay
                Arguments.of(backoff, 0, 0.0, Duration.ofMillis(250)),
                Arguments.of(backoff, 0, 0.999, Duration.ofMillis(499)),
                Arguments.of(backoff, 1, 0.0, Duration.ofMillis(500)),
                Arguments.of(backoff, 3, 0.5, Duration.ofMillis(3000)),
                Arguments.of(backoff, 6, 0.0, Duration.ofSeconds(15)),
                Arguments.of(backoff, 7, 0.0, Duration.ofSeconds(15)),
                Arguments.of(backoff, 1000, 0.5, Duration.ofMillis(22500)));
    }

    @ParameterizedTest(name = "attempt {1}, random {2} -> {3}")
    @MethodSource("backoffs")
    void backoff_growsExponentially_capped_withJitter(Backoff backoff, int attempt, double random, Duration expected) {
        assertThat(backoff.delay(attempt, random)).isEqualTo(expected);
    }

    @Test
    void defaultBackoff_neverWaitsMoreThanFourSeconds_andKeepsHalfOfItAsJitter() {
        for (int attempt = 0; attempt < 64; attempt++) {
            assertThat(Backoff.DEFAULT.delay(attempt, 0.999)).isLessThan(Duration.ofSeconds(4));
        }
        // at the cap, agents that failed together retry spread over 2 s, not in lockstep
        assertThat(Backoff.DEFAULT.delay(20, 0.0)).isEqualTo(Duration.ofSeconds(2));
        assertThat(Backoff.DEFAULT.delay(20, 0.5)).isEqualTo(Duration.ofSeconds(3));
    }

    static Stream<Arguments> renewalRetries() {
        return Stream.of(
                // attempt, random, until expiry, expected delay
                Arguments.of(5, 0.999, Duration.ofHours(1), Duration.ofMillis(3998)), // far: plain backoff
                Arguments.of(5, 0.999, Duration.ofSeconds(30), Duration.ofSeconds(3)), // 1/10 of 30 s
                Arguments.of(0, 0.0, Duration.ofSeconds(30), Duration.ofMillis(250)), // backoff already shorter
                Arguments.of(5, 0.5, Duration.ofSeconds(5), Duration.ofMillis(500)),
                Arguments.of(5, 0.5, Duration.ofMillis(800), Duration.ofMillis(100)), // floor
                Arguments.of(0, 0.0, Duration.ofMillis(800), Duration.ofMillis(100)), // floor below backoff
                Arguments.of(5, 0.5, Duration.ZERO, Duration.ofSeconds(3)), // expired: plain backoff
                Arguments.of(5, 0.5, Duration.ofSeconds(-5), Duration.ofSeconds(3)));
    }

    @ParameterizedTest(name = "attempt {0}, random {1}, expires in {2} -> {3}")
    @MethodSource("renewalRetries")
    void renewalRetry_waitsAtMostATenthOfTheRemainingLifetime_butAtLeast100ms(
            int attempt, double random, Duration untilExpiry, Duration expected) {
        assertThat(Backoff.DEFAULT.delayBeforeExpiry(attempt, random, untilExpiry))
                .isEqualTo(expected);
    }

    @Test
    void busyDelay_isTheServersDelayPlusUpToAsMuchAgain_boundedByTheExpiry() {
        Duration asked = Duration.ofMillis(800);

        assertThat(Backoff.busyDelay(asked, 0, Duration.ZERO)).isEqualTo(asked);
        assertThat(Backoff.busyDelay(asked, 0.5, Duration.ZERO)).isEqualTo(Duration.ofMillis(1200));
        assertThat(Backoff.busyDelay(asked, 0.999, Duration.ZERO)).isEqualTo(Duration.ofMillis(1599));
        // 5 s left: a tenth of it
        assertThat(Backoff.busyDelay(asked, 0.5, Duration.ofSeconds(5))).isEqualTo(Duration.ofMillis(500));
    }
}
