package io.meshca.agent.retry;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.stream.Stream;
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
}
