package io.meshca.server.istio;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class IstioServingIdentityTest {

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
        assertThat(IstioServingIdentity.renewalDelay(NOW, NOW.plus(remaining))).isEqualTo(expected);
    }
}
