package io.meshca.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshca.common.error.InvalidArgumentException;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

class DurationsTest {

    static Stream<Arguments> valid() {
        return Stream.of(
                Arguments.of("90s", Duration.ofSeconds(90)),
                Arguments.of("90", Duration.ofSeconds(90)),
                Arguments.of("2m", Duration.ofMinutes(2)),
                Arguments.of("1h", Duration.ofHours(1)),
                Arguments.of("1d", Duration.ofDays(1)),
                Arguments.of("500ms", Duration.ofMillis(500)),
                Arguments.of("0", Duration.ZERO),
                Arguments.of(" 25s ", Duration.ofSeconds(25)));
    }

    @ParameterizedTest
    @MethodSource("valid")
    void parses(String text, Duration expected) {
        assertThat(Durations.parse("caTtl", text)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"s", "-5s", "1.5s", "10 s", "1h30m", "ninety", "9999999999s"})
    void rejects_namingTheSettingTheTextAndTheGrammar(String text) {
        assertThatThrownBy(() -> Durations.parse("caTtl", text))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessage("caTtl: invalid duration '" + text + "' (" + Durations.HINT + ")");
    }

    @Test
    void rejectsAnEmptyText() {
        assertThatThrownBy(() -> Durations.parse("caTtl", " "))
                .hasMessage("caTtl: invalid duration '' (" + Durations.HINT + ")");
        assertThatThrownBy(() -> Durations.parse("caTtl", ""))
                .hasMessage("caTtl: invalid duration '' (" + Durations.HINT + ")");
        assertThatThrownBy(() -> Durations.parse("caTtl", null))
                .hasMessage("caTtl: invalid duration '' (" + Durations.HINT + ")");
    }

    @Test
    void rejectsAnUnknownUnit_namingIt() {
        assertThatThrownBy(() -> Durations.parse("caTtl", "10y"))
                .hasMessage("caTtl: invalid duration '10y': unknown unit 'y' (" + Durations.HINT + ")");
    }

    @Test
    void parsePositive_refusesZero() {
        assertThat(Durations.parsePositive("joinTokenTtl", "1ms")).isEqualTo(Duration.ofMillis(1));
        assertThatThrownBy(() -> Durations.parsePositive("joinTokenTtl", "0s"))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessage("joinTokenTtl: invalid duration '0s': must be greater than zero");
    }

    @ParameterizedTest
    @ValueSource(strings = {"1500ms", "45s", "0s", "10m", "2h", "7d", "90m", "25h"})
    void format_isReadBackExactly(String text) {
        Duration d = Durations.parse("x", text);
        assertThat(Durations.parse("x", Durations.format(d))).isEqualTo(d);
    }

    @Test
    void format_picksTheLargestExactUnit() {
        assertThat(Durations.format(Duration.ofMillis(1500))).isEqualTo("1500ms");
        assertThat(Durations.format(Duration.ofSeconds(90))).isEqualTo("90s");
        assertThat(Durations.format(Duration.ofMinutes(90))).isEqualTo("90m");
        assertThat(Durations.format(Duration.ofHours(48))).isEqualTo("2d");
        assertThat(Durations.format(Duration.ZERO)).isEqualTo("0s");
    }

    @Test
    void picocliConverters_explainInTheOptionsMessage() throws Exception {
        assertThat(new Durations.Positive().convert("5s")).isEqualTo(Duration.ofSeconds(5));
        assertThat(new Durations.NonNegative().convert("0")).isEqualTo(Duration.ZERO);
        assertThatThrownBy(() -> new Durations.Positive().convert("0"))
                .isInstanceOf(CommandLine.TypeConversionException.class)
                .hasMessage("invalid duration '0': must be greater than zero");
        assertThatThrownBy(() -> new Durations.NonNegative().convert("5 parsecs"))
                .isInstanceOf(CommandLine.TypeConversionException.class)
                .hasMessage("invalid duration '5 parsecs' (" + Durations.HINT + ")");
    }
}
