package io.meshca.common.logging;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class LogSafeTest {

    @Test
    void ordinaryValues_passUnchanged() {
        assertThat(LogSafe.of("https://kubernetes.default.svc.cluster.local"))
                .isEqualTo("https://kubernetes.default.svc.cluster.local");
        assertThat(LogSafe.of(List.of("istio-ca", "other"))).isEqualTo("[istio-ca, other]");
        assertThat(LogSafe.of("Failed to load \"certificate\" (x=1)", 200))
                .isEqualTo("Failed to load \"certificate\" (x=1)");
        assertThat(LogSafe.of(null)).isEqualTo("(none)");
    }

    @Test
    void callerText_cannotForgeLogLines_orFloodTheLog() {
        assertThat(LogSafe.of("evil\n2026-11-23 INFO issued to admin"))
                .doesNotContain("\n")
                .startsWith("evil?2026");
        assertThat(LogSafe.of("x".repeat(10_000)))
                .hasSize(LogSafe.DEFAULT_MAX_CHARS + 3)
                .endsWith("...");
        assertThat(LogSafe.of("x".repeat(10_000), 256)).hasSize(256 + 3);
        assertThat(LogSafe.of("\u001b[31mred\u202e\r")).isEqualTo("?[31mred??");
    }
}
