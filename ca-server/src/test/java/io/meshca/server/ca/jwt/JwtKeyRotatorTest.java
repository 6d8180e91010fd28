package io.meshca.server.ca.jwt;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshca.common.testing.FakeClock;
import io.meshca.server.ca.keys.MemoryKeyManager;
import java.time.Duration;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class JwtKeyRotatorTest {

    private static final Duration DAY = Duration.ofHours(24);
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final Instant NOT_AFTER = T0.plus(DAY);

    static Stream<Arguments> policy() {
        return Stream.of(
                Arguments.of("fresh key", hours(1), null, JwtKeyRotator.Action.NONE),
                Arguments.of("just before half-life", hours(12).minusSeconds(1), null, JwtKeyRotator.Action.NONE),
                Arguments.of("half-life: prepare", hours(12), null, JwtKeyRotator.Action.PREPARE),
                Arguments.of(
                        "late start past 5/6, nothing prepared: prepare",
                        hours(21),
                        null,
                        JwtKeyRotator.Action.PREPARE),
                Arguments.of("prepared, before 5/6", hours(19), hours(12), JwtKeyRotator.Action.NONE),
                Arguments.of("5/6: activate", hours(20), hours(12), JwtKeyRotator.Action.ACTIVATE),
                Arguments.of("5/6 but published only 1h ago", hours(21), hours(20), JwtKeyRotator.Action.NONE),
                Arguments.of("published 2h (1/12) ago", hours(22), hours(20), JwtKeyRotator.Action.ACTIVATE),
                Arguments.of(
                        "current about to expire: activate anyway",
                        NOT_AFTER.minus(JwtKeySlots.MIN_REMAINING),
                        NOT_AFTER.minus(Duration.ofMinutes(30)),
                        JwtKeyRotator.Action.ACTIVATE));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("policy")
    void rotationPolicy(String name, Instant now, Instant preparedAt, JwtKeyRotator.Action expected) {
        assertThat(JwtKeyRotator.due(now, NOT_AFTER, DAY, preparedAt)).isEqualTo(expected);
    }

    @Test
    void rotator_preparesAtHalfLife_publishesBeforeUse_andActivatesAtFiveSixths() {
        FakeClock clock = new FakeClock(T0);
        InMemoryBundleStore store = new InMemoryBundleStore();
        JwtKeySlots slots = new JwtKeySlots(new MemoryKeyManager(), store, JwtKeyType.ES256, DAY, clock);
        slots.initialize();
        JwtKeyRotator rotator = new JwtKeyRotator(slots, clock);
        String first = slots.current().kid();

        clock.advance(Duration.ofHours(11));
        rotator.tick();
        assertThat(slots.next()).isEmpty();

        clock.advance(Duration.ofHours(1));
        rotator.tick();
        String second = slots.next().orElseThrow().kid();
        assertThat(slots.current().kid()).isEqualTo(first);
        assertThat(store.jwtAuthorities()).extracting(a -> a.kid()).contains(first, second);

        clock.advance(Duration.ofHours(8));
        rotator.tick();
        assertThat(slots.current().kid()).isEqualTo(second);
        assertThat(slots.next()).isEmpty();

        // the new key's own half-life comes 12 h after it was created (at hour 12)
        clock.advance(Duration.ofHours(3));
        rotator.tick();
        assertThat(slots.next()).isEmpty();
        clock.advance(Duration.ofHours(1));
        rotator.tick();
        assertThat(slots.next()).isPresent();
    }

    private static Instant hours(long h) {
        return T0.plus(Duration.ofHours(h));
    }
}
