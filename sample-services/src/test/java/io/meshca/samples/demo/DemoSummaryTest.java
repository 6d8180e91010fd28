package io.meshca.samples.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class DemoSummaryTest {

    @Test
    void lastLine_isExactlyTheDocumentedFormat() {
        assertThat(new DemoSummary(1791, 0, 17, 1).line())
                .isEqualTo("demo: requests=1791 failed=0 rotations=17 ca_rotations=1");
    }

    static Stream<Arguments> verdicts() {
        return Stream.of(
                Arguments.of(new DemoSummary(1800, 0, 16, 1), Duration.ofSeconds(90), List.of()),
                Arguments.of(
                        new DemoSummary(1800, 1, 16, 1), Duration.ofSeconds(90), List.of("1 of 1800 requests failed")),
                Arguments.of(
                        new DemoSummary(1800, 0, 16, 0),
                        Duration.ofSeconds(90),
                        List.of("no CA rotation in 90s, expected at least one (the demo's CA lives a minute)")),
                Arguments.of(new DemoSummary(1500, 0, 14, 0), Duration.ofSeconds(74), List.of()),
                Arguments.of(new DemoSummary(0, 0, 0, 0), Duration.ofSeconds(10), List.of("no request was made")),
                Arguments.of(
                        new DemoSummary(1200, 0, 1, 0),
                        Duration.ofSeconds(60),
                        List.of("only 1 SVID rotations in 60s, expected at least 2")),
                // a short run (e.g. stopped with Ctrl-C) is not blamed for seeing few rotations
                Arguments.of(new DemoSummary(200, 0, 0, 0), Duration.ofSeconds(59), List.of()),
                Arguments.of(
                        new DemoSummary(5, 5, 0, 0),
                        Duration.ofSeconds(90),
                        List.of(
                                "5 of 5 requests failed",
                                "only 0 SVID rotations in 90s, expected at least 2",
                                "no CA rotation in 90s, expected at least one (the demo's CA lives a minute)")));
    }

    @ParameterizedTest
    @MethodSource("verdicts")
    void problems(DemoSummary summary, Duration ran, List<String> expected) {
        assertThat(summary.problems(ran)).isEqualTo(expected);
    }

    @Test
    void moreFailuresThanRequests_isRejected() {
        assertThatThrownBy(() -> new DemoSummary(1, 2, 0, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("inconsistent counters: requests=1 failed=2 rotations=0 ca_rotations=0");
    }

    @Test
    void negativeCaRotations_isRejected() {
        assertThatThrownBy(() -> new DemoSummary(1, 0, 0, -1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ca_rotations=-1");
    }
}
