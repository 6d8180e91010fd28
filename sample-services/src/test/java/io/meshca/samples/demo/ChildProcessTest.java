package io.meshca.samples.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChildProcessTest {

    @TempDir
    Path dir;

    @Test
    void outputGoesToTheListenerAndTheLog_andStopEndsAProcessThatIgnoresSigterm() throws Exception {
        List<String> lines = new CopyOnWriteArrayList<>();
        CountDownLatch ready = new CountDownLatch(1);
        // ignores SIGTERM, so only the forcible kill after the grace period can end it
        ChildProcess child = ChildProcess.start(
                "stubborn",
                List.of("sh", "-c", "trap '' TERM; echo one; echo two >&2; echo ready; exec sleep 60"),
                Map.of(),
                dir,
                dir.resolve("stubborn.log"),
                line -> {
                    lines.add(line);
                    if (line.equals("ready")) {
                        ready.countDown();
                    }
                });
        assertThat(ready.await(10, TimeUnit.SECONDS)).isTrue();

        child.stop(Duration.ofMillis(300));

        assertThat(child.isAlive()).isFalse();
        assertThat(lines).containsExactly("one", "two", "ready");
        assertThat(child.tail(2)).containsExactly("two", "ready");
    }

    @Test
    void waitFor_givesTheExitCodeOfAFinishedCommand() throws Exception {
        ChildProcess child = ChildProcess.start(
                "cli",
                List.of("sh", "-c", "echo Token: abc; exit 3"),
                Map.of(),
                dir,
                dir.resolve("cli.log"),
                line -> {});

        assertThat(child.waitFor(Duration.ofSeconds(10))).contains(3);
        assertThat(child.tail(10)).containsExactly("Token: abc");
    }
}
