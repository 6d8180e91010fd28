package io.meshca.samples.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** bench/unix-floor.c, the C floor that first-svid-floor.sh puts beside the workload-api line, builds and runs. */
class UnixFloorTest {

    private static final Path SOURCE = Path.of("bench/unix-floor.c").toAbsolutePath();

    @TempDir
    Path dir;

    private static String run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS))
                .as("%s finished", command)
                .isTrue();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.exitValue()).as(output).isZero();
        return output;
    }

    @Test
    void buildsAndMeasuresABurst_endingWithTheFloorLine() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/cc")), "no C compiler at /usr/bin/cc");
        Path binary = dir.resolve("unix-floor");
        run(List.of("/usr/bin/cc", "-O2", "-Wall", "-Werror", "-pthread", "-o", binary.toString(), SOURCE.toString()));

        String output =
                run(List.of(binary.toString(), "-clients", "5", "-rounds", "2", "-warmup", "1", "-threads", "2"));

        assertThat(output.strip())
                .matches(
                        "floor: clients=5 p50=\\d+\\.\\d\\d p99=\\d+\\.\\d\\d errors=0 server_us=\\d+ client_us=\\d+ threads=2 bytes=2048");
    }

    @Test
    void badOptions_areRefused() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/cc")), "no C compiler at /usr/bin/cc");
        Path binary = dir.resolve("unix-floor");
        run(List.of("/usr/bin/cc", "-O2", "-pthread", "-o", binary.toString(), SOURCE.toString()));

        Process zero = new ProcessBuilder(binary.toString(), "-clients", "0")
                .redirectErrorStream(true)
                .start();
        assertThat(zero.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(zero.exitValue()).isEqualTo(2);
        assertThat(new String(zero.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
                .contains("must be at least 1");
    }
}
