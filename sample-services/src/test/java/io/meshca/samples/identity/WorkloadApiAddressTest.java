package io.meshca.samples.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class WorkloadApiAddressTest {

    @ParameterizedTest
    @ValueSource(strings = {"/tmp/agent.sock", "unix:/tmp/agent.sock", "unix:///tmp/agent.sock"})
    void everyFormOfAPath_becomesTheUnixUri(String flag) {
        assertThat(WorkloadApiAddress.resolve(Optional.of(flag), Map.of())).isEqualTo("unix:///tmp/agent.sock");
    }

    @Test
    void theFlagWins_overTheEnvironment() {
        assertThat(WorkloadApiAddress.resolve(Optional.of("/a.sock"), Map.of(WorkloadApiAddress.ENV, "unix:///b.sock")))
                .isEqualTo("unix:///a.sock");
    }

    @Test
    void theEnvironment_isTheDefault() {
        assertThat(WorkloadApiAddress.resolve(Optional.empty(), Map.of(WorkloadApiAddress.ENV, "unix:///b.sock")))
                .isEqualTo("unix:///b.sock");
    }

    @Test
    void neither_isAClearError() {
        assertThatThrownBy(() -> WorkloadApiAddress.resolve(Optional.empty(), Map.of()))
                .hasMessage(WorkloadApiAddress.MISSING);
    }

    @Test
    void aRelativePath_isRejected() {
        assertThatThrownBy(() -> WorkloadApiAddress.resolve(Optional.of("agent.sock"), Map.of()))
                .hasMessage(WorkloadApiAddress.NOT_ABSOLUTE + "agent.sock");
    }
}
