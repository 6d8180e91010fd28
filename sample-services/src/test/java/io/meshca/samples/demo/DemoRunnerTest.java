package io.meshca.samples.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoRunnerTest {

    @TempDir
    Path emptyHome;

    @Test
    void withoutTheJars_itSaysWhichIsMissingAndHowToBuildIt_andStillEndsWithTheSummaryLine() {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        DemoOptions options = new DemoOptions(
                Duration.ofSeconds(5), DemoOptions.DEFAULT_TTL, 1, emptyHome, "unused", Duration.ofSeconds(1));

        int exitCode = new DemoRunner(
                        options, "java", new PrintStream(captured, true, StandardCharsets.UTF_8), Clock.systemUTC())
                .run();

        List<String> lines = captured.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(exitCode).isEqualTo(1);
        assertThat(lines.get(0))
                .isEqualTo("demo: FAILED: " + emptyHome.resolve(MeshcaCommands.SERVER_JAR)
                        + " not found: build it with `./mvnw -DskipTests package` (or run the demo through ./meshca, which"
                        + " builds what is missing), or point -home at the repo root");
        assertThat(lines.get(lines.size() - 1)).isEqualTo("demo: requests=0 failed=0 rotations=0 ca_rotations=0");
    }
}
