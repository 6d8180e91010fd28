package io.meshca.server.ca;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshca.common.rotation.RotationPolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RenewingTlsIdentityTest {

    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");

    static Stream<Arguments> delays() {
        return Stream.of(
                Arguments.of(Duration.ofHours(1), Duration.ofMinutes(30)),
                Arguments.of(Duration.ofMinutes(10), Duration.ofMinutes(5)),
                Arguments.of(Duration.ofSeconds(1), Duration.ofSeconds(1)),
                Arguments.of(Duration.ofSeconds(-5), Duration.ofSeconds(1)));
    }

    @ParameterizedTest
    @MethodSource("delays")
    void renewal_isAtHalfTheRemainingLifetime_butNotSoonerThanASecond(Duration remaining, Duration expected) {
        assertThat(RenewingTlsIdentity.renewalDelay(NOW, NOW.plus(remaining), 0))
                .isEqualTo(expected);
    }

    static Stream<Arguments> jittered() {
        return Stream.of(
                Arguments.of(-RotationPolicy.MAX_JITTER, Duration.ofMinutes(27)),
                Arguments.of(RotationPolicy.MAX_JITTER, Duration.ofMinutes(33)));
    }

    @ParameterizedTest
    @MethodSource("jittered")
    void jitter_movesTheRenewalByAtMostATenthOfTheHalf(double jitter, Duration expected) {
        assertThat(RenewingTlsIdentity.renewalDelay(NOW, NOW.plus(Duration.ofHours(1)), jitter))
                .isEqualTo(expected);
    }
}
