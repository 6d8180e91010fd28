package io.meshca.samples.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class JoinTokensTest {

    @Test
    void readsTheTokenLine() throws DemoFailure {
        assertThat(JoinTokens.parse(List.of("some log line", "Token: 3b1f0c9e", "")))
                .isEqualTo("3b1f0c9e");
    }

    @Test
    void noTokenLine_isAFailure_thatDoesNotEchoTheOutput() {
        assertThatThrownBy(() -> JoinTokens.parse(List.of("Token:", "secret-looking output")))
                .isInstanceOf(DemoFailure.class)
                .hasMessage(JoinTokens.MISSING);
    }
}
