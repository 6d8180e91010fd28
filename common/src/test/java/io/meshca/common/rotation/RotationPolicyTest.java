package io.meshca.common.rotation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
}
