package io.meshca.samples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class JvmOptionsTest {

    @Test
    void file_oneOptionPerLine_commentsAndBlanksIgnored() {
        assertThat(JvmOptions.parse(List.of("# why", "-Xmx48m", "", "  -XX:+UseSerialGC  # trailing", "#-Xss1m")))
                .containsExactly("-Xmx48m", "-XX:+UseSerialGC");
    }

    @Test
    void environment_replacesTheFile_andEmptyMeansJvmDefaults(@TempDir Path home) throws Exception {
        Files.createDirectories(home.resolve("workload-api"));
        Files.writeString(home.resolve(JvmOptions.Process.AGENT.file), "-Xmx48m\n");

        assertThat(JvmOptions.of(JvmOptions.Process.AGENT, home, Map.of())).containsExactly("-Xmx48m");
        assertThat(JvmOptions.of(
                        JvmOptions.Process.AGENT, home, Map.of(JvmOptions.Process.AGENT.env, " -Xmx1g  -Dx=y ")))
                .containsExactly("-Xmx1g", "-Dx=y");
        assertThat(JvmOptions.of(JvmOptions.Process.AGENT, home, Map.of(JvmOptions.Process.AGENT.env, "")))
                .isEmpty();
        assertThat(JvmOptions.of(JvmOptions.Process.AGENT, home.resolve("elsewhere"), Map.of()))
                .isEmpty();
    }

    @ParameterizedTest
    @EnumSource(JvmOptions.Process.class)
    void theShippedFiles_boundTheHeap(JvmOptions.Process process) {
        // the repo's own files, as ./meshca and the benchmarks read them (tests run in sample-services/)
        List<String> shipped =
                JvmOptions.of(process, Path.of("..").toAbsolutePath().normalize(), Map.of());

        assertThat(shipped).anyMatch(o -> o.startsWith("-Xmx"));
    }
}
