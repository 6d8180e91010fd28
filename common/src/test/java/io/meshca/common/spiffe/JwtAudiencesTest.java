package io.meshca.common.spiffe;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshca.common.error.InvalidArgumentException;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class JwtAudiencesTest {

    @Test
    void theLargestAudienceWithinBothBounds_passes() {
        assertThatCode(() -> JwtAudiences.check(Collections.nCopies(32, "a".repeat(256))))
                .doesNotThrowAnyException();
    }

    static Stream<Arguments> outOfBounds() {
        return Stream.of(
                Arguments.of(List.of(), JwtAudiences.MISSING),
                Arguments.of(List.of("a", ""), JwtAudiences.EMPTY),
                Arguments.of(List.of("\t"), JwtAudiences.EMPTY),
                Arguments.of(Collections.nCopies(33, "a"), "at most 32 audiences per JWT-SVID, got 33"),
                Arguments.of(List.of("a".repeat(257)), "an audience is at most 256 characters, got one of 257"));
    }

    @ParameterizedTest
    @MethodSource("outOfBounds")
    void audienceOutOfBounds_isRefusedNamingTheBound(List<String> audience, String message) {
        assertThatThrownBy(() -> JwtAudiences.check(audience))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessage(message);
    }
}
