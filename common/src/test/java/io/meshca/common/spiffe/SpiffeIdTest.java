package io.meshca.common.spiffe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class SpiffeIdTest {

    @ParameterizedTest
    @ValueSource(
            strings = {
                "spiffe://example.org",
                "spiffe://example.org/workload",
                "spiffe://example.org/ns/default/sa/orders",
                "spiffe://a-b_c.d9/Path-With_UPPER.case/1",
                "spiffe://example.org/..a/a..",
            })
    void validIds_roundTrip(String text) {
        assertThat(SpiffeId.parse(text).toString()).isEqualTo(text);
    }

    static Stream<Arguments> invalidIds() {
        return Stream.of(
                Arguments.of("", SpiffeIdRules.EMPTY),
                Arguments.of("example.org/workload", SpiffeIdRules.WRONG_SCHEME),
                Arguments.of("https://example.org/workload", SpiffeIdRules.WRONG_SCHEME),
                Arguments.of("SPIFFE://example.org/workload", SpiffeIdRules.WRONG_SCHEME),
                Arguments.of("spiffe://", SpiffeIdRules.MISSING_TRUST_DOMAIN),
                Arguments.of("spiffe:///workload", SpiffeIdRules.MISSING_TRUST_DOMAIN),
                Arguments.of("spiffe://Example.org/workload", SpiffeIdRules.BAD_TRUST_DOMAIN_CHAR),
                Arguments.of("spiffe://example.org:8080/workload", SpiffeIdRules.BAD_TRUST_DOMAIN_CHAR),
                Arguments.of("spiffe://user@example.org/workload", SpiffeIdRules.BAD_TRUST_DOMAIN_CHAR),
                Arguments.of("spiffe://exa%20mple.org", SpiffeIdRules.BAD_TRUST_DOMAIN_CHAR),
                Arguments.of("spiffe://" + "a".repeat(256), SpiffeIdRules.TRUST_DOMAIN_TOO_LONG),
                Arguments.of("spiffe://example.org/", SpiffeIdRules.TRAILING_SLASH),
                Arguments.of("spiffe://example.org/workload/", SpiffeIdRules.TRAILING_SLASH),
                Arguments.of("spiffe://example.org//workload", SpiffeIdRules.EMPTY_SEGMENT),
                Arguments.of("spiffe://example.org/a/./b", SpiffeIdRules.DOT_SEGMENT),
                Arguments.of("spiffe://example.org/a/..", SpiffeIdRules.DOT_SEGMENT),
                Arguments.of("spiffe://example.org/workload?x=1", SpiffeIdRules.BAD_PATH_CHAR),
                Arguments.of("spiffe://example.org/workload#frag", SpiffeIdRules.BAD_PATH_CHAR),
                Arguments.of("spiffe://example.org/work%20load", SpiffeIdRules.BAD_PATH_CHAR),
                Arguments.of("spiffe://example.org/wörk", SpiffeIdRules.BAD_PATH_CHAR),
                Arguments.of("spiffe://example.org/" + "a".repeat(2048), SpiffeIdRules.TOO_LONG));
    }

    @ParameterizedTest
    @MethodSource("invalidIds")
    void invalidIds_areRejectedWithTheRuleTheyBreak(String text, String rule) {
        assertThatThrownBy(() -> SpiffeId.parse(text))
                .isInstanceOf(InvalidSpiffeIdException.class)
                .satisfies(
                        e -> assertThat(((InvalidSpiffeIdException) e).rule()).isEqualTo(rule))
                .hasMessageContaining(rule);
    }

    @Test
    void pathWithoutLeadingSlash_isRejected() {
        TrustDomain td = new TrustDomain("example.org");
        assertThatThrownBy(() -> td.withPath("workload"))
                .isInstanceOf(InvalidSpiffeIdException.class)
                .hasMessageContaining(SpiffeIdRules.NO_LEADING_SLASH);
    }

    @Test
    void idAtTheLengthLimit_isAccepted() {
        String prefix = "spiffe://example.org/";
        String text = prefix + "a".repeat(SpiffeId.MAX_LENGTH - prefix.length());
        assertThat(SpiffeId.parse(text).toString()).hasSize(SpiffeId.MAX_LENGTH);
    }

    @Test
    void trustDomain_parsesNameAndIdForms() {
        assertThat(TrustDomain.parse("example.org")).isEqualTo(new TrustDomain("example.org"));
        assertThat(TrustDomain.parse("spiffe://example.org")).isEqualTo(new TrustDomain("example.org"));
        assertThat(TrustDomain.parse("example.org").id().toString()).isEqualTo("spiffe://example.org");
        assertThatThrownBy(() -> TrustDomain.parse("spiffe://example.org/path"))
                .hasMessageContaining(SpiffeIdRules.TRUST_DOMAIN_HAS_PATH);
    }

    @Test
    void membership_isByTrustDomain() {
        SpiffeId id = SpiffeId.parse("spiffe://example.org/orders");
        assertThat(id.memberOf(new TrustDomain("example.org"))).isTrue();
        assertThat(id.memberOf(new TrustDomain("other.org"))).isFalse();
    }
}
