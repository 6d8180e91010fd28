package io.meshca.common.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SuggestionsTest {

    private static final List<String> FLAGS = List.of("-spiffeID", "-parentID", "-selector", "-socketPath", "-h");

    @Test
    void oneOrTwoEdits_orADifferentCase_areTypos() {
        assertThat(Suggestions.didYouMean("-spifeID", FLAGS)).isEqualTo(" (did you mean -spiffeID?)");
        assertThat(Suggestions.didYouMean("--parentID", FLAGS)).isEqualTo(" (did you mean -parentID?)");
        assertThat(Suggestions.didYouMean("-socketpath", FLAGS)).isEqualTo(" (did you mean -socketPath?)");
    }

    @Test
    void aDifferentWord_suggestsNothing() {
        assertThat(Suggestions.didYouMean("-bogusFlag", FLAGS)).isEmpty();
        assertThat(Suggestions.didYouMean("-x", List.of())).isEmpty();
    }

    @Test
    void distance_isLevenshtein() {
        assertThat(Suggestions.distance("kitten", "sitting")).isEqualTo(3);
        assertThat(Suggestions.distance("", "abc")).isEqualTo(3);
        assertThat(Suggestions.distance("same", "same")).isZero();
    }
}
