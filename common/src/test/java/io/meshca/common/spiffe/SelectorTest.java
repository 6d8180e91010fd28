package io.meshca.common.spiffe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshca.common.error.InvalidArgumentException;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SelectorTest {

    @Test
    void parse_splitsAtTheFirstColon() {
        Selector selector = Selector.parse("unix:uid:1000");
        assertThat(selector.type()).isEqualTo("unix");
        assertThat(selector.value()).isEqualTo("uid:1000");
        assertThat(selector.toString()).isEqualTo("unix:uid:1000");
        assertThat(Selector.parse("k8s:pod-label:app:orders").value()).isEqualTo("pod-label:app:orders");
    }

    static Stream<Arguments> invalidSelectors() {
        return Stream.of(
                Arguments.of("unix", Selector.MISSING_SEPARATOR),
                Arguments.of(":uid:1000", Selector.EMPTY_TYPE),
                Arguments.of("unix:", Selector.EMPTY_VALUE),
                Arguments.of("Unix:uid:1", Selector.BAD_TYPE_CHAR),
                Arguments.of("un ix:uid:1", Selector.BAD_TYPE_CHAR),
                Arguments.of("unix:uid:1\n", Selector.CONTROL_CHAR),
                Arguments.of("unix:" + "x".repeat(1100), Selector.TOO_LONG));
    }

    @ParameterizedTest
    @MethodSource("invalidSelectors")
    void invalidSelectors_areRejectedWithTheProblem(String text, String problem) {
        assertThatThrownBy(() -> Selector.parse(text))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining(problem);
    }

    @Test
    void entrySelectors_matchWhenTheyAreASubsetOfTheWorkloads() {
        SelectorSet workload = SelectorSet.of(
                Selector.parse("unix:uid:1000"), Selector.parse("unix:gid:1000"), Selector.parse("unix:user:alice"));

        assertThat(SelectorSet.of(Selector.parse("unix:uid:1000")).isSubsetOf(workload))
                .isTrue();
        assertThat(SelectorSet.of(Selector.parse("unix:uid:1000"), Selector.parse("unix:user:alice"))
                        .isSubsetOf(workload))
                .isTrue();
        assertThat(SelectorSet.of(Selector.parse("unix:uid:1000"), Selector.parse("unix:user:bob"))
                        .isSubsetOf(workload))
                .isFalse();
        assertThat(SelectorSet.of(Selector.parse("unix:uid:1001")).isSubsetOf(workload))
                .isFalse();
    }

    @Test
    void anEmptyEntrySelectorSet_matchesNothing() {
        SelectorSet workload = SelectorSet.of(Selector.parse("unix:uid:1000"));
        assertThat(SelectorSet.empty().isSubsetOf(workload)).isFalse();
        assertThat(SelectorSet.empty().isSubsetOf(SelectorSet.empty())).isFalse();
    }

    @Test
    void selectorSets_areOrderIndependentValues() {
        SelectorSet a = SelectorSet.of(Selector.parse("unix:uid:1"), Selector.parse("unix:gid:2"));
        SelectorSet b = SelectorSet.of(
                Selector.parse("unix:gid:2"), Selector.parse("unix:uid:1"), Selector.parse("unix:uid:1"));
        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        assertThat(b.size()).isEqualTo(2);
        assertThat(a.iterator().next().toString()).isEqualTo("unix:gid:2");
    }
}
