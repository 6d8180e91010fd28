package io.meshca.samples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentJvmOptionsTest {

    @Test
    void file_oneOptionPerLine_commentsAndBlanksIgnored() {
        assertThat(AgentJvmOptions.parse(List.of("# why", "-Xmx48m", "", "  -XX:+UseSerialGC  # trailing", "#-Xss1m")))
                .containsExactly("-Xmx48m", "-XX:+UseSerialGC");
    }

    @Test
    void environment_replacesTheFile_andEmptyMeansJvmDefaults(@TempDir Path home) throws Exception {
        Files.createDirectories(home.resolve("workload-api"));
        Files.writeString(home.resolve(AgentJvmOptions.FILE), "-Xmx48m\n");

        assertThat(AgentJvmOptions.of(home, Map.of())).containsExactly("-Xmx48m");
        assertThat(AgentJvmOptions.of(home, Map.of(AgentJvmOptions.ENV, " -Xmx1g  -Dx=y ")))
                .containsExactly("-Xmx1g", "-Dx=y");
        assertThat(AgentJvmOptions.of(home, Map.of(AgentJvmOptions.ENV, ""))).isEmpty();
        assertThat(AgentJvmOptions.of(home.resolve("elsewhere"), Map.of())).isEmpty();
    }

    @Test
    void theShippedFile_boundsTheHeap() {
        // the repo's own file, as ./meshca agent and the benchmarks read it (tests run in sample-services/)
        List<String> shipped = AgentJvmOptions.of(Path.of("..").toAbsolutePath().normalize(), Map.of());

        assertThat(shipped).anyMatch(o -> o.startsWith("-Xmx"));
    }
}
