package io.meshca.agent.rotation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshca.agent.client.Backoff;
import java.time.Duration;
import java.time.Instant;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RotationPolicyTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    static Stream<Arguments> renewalTimes() {
        return Stream.of(
                // lifetime from issuance, jitter, expected renewal after issuance
                Arguments.of(Duration.ofHours(1), 0.0, Duration.ofMinutes(30)),
                Arguments.of(Duration.ofHours(1), 0.1, Duration.ofMinutes(33)),
                Arguments.of(Duration.ofHours(1), -0.1, Duration.ofMinutes(27)),
                Arguments.of(Duration.ofSeconds(10), 0.0, Duration.ofSeconds(5)),
                Arguments.of(Duration.ofSeconds(10), 0.1, Duration.ofMillis(5500)),
                Arguments.of(Duration.ofSeconds(10), -0.1, Duration.ofMillis(4500)),
                Arguments.of(Duration.ofDays(1), 0.05, Duration.ofMinutes(756)),
                // already expired: due at once
                Arguments.of(Duration.ZERO, 0.0, Duration.ZERO),
                Arguments.of(Duration.ofSeconds(-5), 0.1, Duration.ZERO));
    }

    @ParameterizedTest(name = "lifetime {0}, jitter {1} -> renew after {2}")
    @MethodSource("renewalTimes")
    void renewsAtHalfLife_movedByTheJitter(Duration lifetime, double jitter, Duration expected) {
        assertThat(RotationPolicy.renewAt(T0, T0.plus(lifetime), jitter)).isEqualTo(T0.plus(expected));
    }

    static Stream<Arguments> dueness() {
        return Stream.of(
                Arguments.of(Duration.ofSeconds(-1), false),
                Arguments.of(Duration.ZERO, true),
                Arguments.of(Duration.ofSeconds(1), true));
    }

    @ParameterizedTest(name = "now = renewAt + {0} -> due {1}")
    @MethodSource("dueness")
    void isDue_fromTheRenewalTimeOn(Duration sinceRenewAt, boolean due) {
        assertThat(RotationPolicy.isDue(T0.plus(sinceRenewAt), T0)).isEqualTo(due);
    }

    @Test
    void jitter_staysWithinTenPercent_andIsNotConstant() {
        SplittableRandom random = new SplittableRandom(7);
        double min = 1;
        double max = -1;
        for (int i = 0; i < 10_000; i++) {
            double jitter = RotationPolicy.jitter(random);
            assertThat(jitter).isBetween(-RotationPolicy.MAX_JITTER, RotationPolicy.MAX_JITTER);
            min = Math.min(min, jitter);
            max = Math.max(max, jitter);
        }
        assertThat(min).isLessThan(-0.09);
        assertThat(max).isGreaterThan(0.09);
    }

    @Test
    void jitterOutOfRange_isRejected() {
        assertThatThrownBy(() -> RotationPolicy.renewAt(T0, T0.plusSeconds(10), 0.2))
                .isInstanceOf(IllegalArgumentException.class);
    }

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
