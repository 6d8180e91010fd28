package io.meshca.agent.attestation.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ProcFilesTest {

    @TempDir
    Path dir;

    /** Around the first read's buffer size: a file that fills it exactly must be read on to its end. */
    @ParameterizedTest
    @ValueSource(ints = {0, 1, 4095, 4096, 4097, 8192, 20_000})
    void readsWholeFilesOfEverySize(int size) throws IOException {
        byte[] content = new byte[size];
        new Random(size).nextBytes(content);
        Path file = Files.write(dir.resolve("f" + size), content);

        assertThat(ProcFiles.read(file)).isEqualTo(content);
    }

    @Test
    void readsProcFilesWhole() throws IOException {
        Path cmdline = Path.of("/proc/self/cmdline");

        assertThat(ProcFiles.read(cmdline))
                .isEqualTo(Files.readAllBytes(cmdline))
                .isNotEmpty();
    }

    @Test
    void aMissingFileIsAnIoError() {
        assertThatThrownBy(() -> ProcFiles.read(dir.resolve("gone"))).isInstanceOf(IOException.class);
    }
}
