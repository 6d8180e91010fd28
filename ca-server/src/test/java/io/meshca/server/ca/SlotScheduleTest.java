package io.meshca.server.ca;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshca.server.ca.SlotSchedule.Action;
import java.time.Duration;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SlotScheduleTest {

    private static final Duration DAY = Duration.ofHours(24);
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final Instant NOT_AFTER = T0.plus(DAY);

    static Stream<Arguments> policy() {
        return Stream.of(
                Arguments.of("fresh authority", hours(1), null, Action.NONE),
                Arguments.of("just before half-life", hours(12).minusSeconds(1), null, Action.NONE),
                Arguments.of("half-life: prepare", hours(12), null, Action.PREPARE),
                Arguments.of("late start past 5/6, nothing prepared: prepare", hours(21), null, Action.PREPARE),
                Arguments.of("prepared, before 5/6", hours(19), hours(12), Action.NONE),
                Arguments.of("5/6: activate", hours(20), hours(12), Action.ACTIVATE),
                Arguments.of(
                        "5/6 but published only 1h ago", hours(21), hours(20).plusSeconds(1), Action.NONE),
                Arguments.of("published 2h (1/12) ago", hours(22), hours(20), Action.ACTIVATE),
                Arguments.of(
                        "active in its last 1/12: activate anyway",
                        NOT_AFTER.minus(Duration.ofHours(2)),
                        NOT_AFTER.minus(Duration.ofMinutes(30)),
                        Action.ACTIVATE));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("policy")
    void rotationPolicy(String name, Instant now, Instant preparedAt, Action expected) {
        assertThat(SlotSchedule.due(now, NOT_AFTER, DAY, preparedAt)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "one-minute CA, second {0}")
    @MethodSource("oneMinute")
    void aOneMinuteCa_rotatesOnTheSameFractions(long second, Long preparedSecond, Action expected) {
        Duration minute = Duration.ofMinutes(1);
        Instant start = T0;
        Instant preparedAt = preparedSecond == null ? null : start.plusSeconds(preparedSecond);
        assertThat(SlotSchedule.due(start.plusSeconds(second), start.plus(minute), minute, preparedAt))
                .isEqualTo(expected);
    }

    static Stream<Arguments> oneMinute() {
        return Stream.of(
                Arguments.of(29L, null, Action.NONE),
                Arguments.of(30L, null, Action.PREPARE),
                Arguments.of(49L, 30L, Action.NONE),
                Arguments.of(50L, 30L, Action.ACTIVATE));
    }

    private static Instant hours(long h) {
        return T0.plus(Duration.ofHours(h));
    }
}
