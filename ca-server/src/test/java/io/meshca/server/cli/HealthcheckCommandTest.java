package io.meshca.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshca.server.testing.TestServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code server healthcheck -wait}: scripts start a server and wait for it, rather than sleeping. */
class HealthcheckCommandTest {

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private CompletableFuture<TestServer> starting;

    @AfterEach
    void stop() throws Exception {
        if (starting != null) {
            starting.get(60, TimeUnit.SECONDS).close();
        }
    }

    private int run(String... args) {
        return ServerMain.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
    }

    @Test
    void serverStartingDuringTheWait_isReportedHealthy() {
        Path socket = dir.resolve("admin/api.sock");
        starting = CompletableFuture.supplyAsync(() -> {
            try {
                Thread.sleep(1500);
                return TestServer.start(dir);
            } catch (Exception e) {
                throw new CompletionException(e);
            }
        });

        int code = run("healthcheck", "-wait", "60s", "-socketPath", socket.toString());

        assertThat(err.toString()).isEmpty();
        assertThat(code).isZero();
        assertThat(out.toString()).isEqualTo("Server is healthy." + System.lineSeparator());
    }

    @Test
    void noServerWithinTheWait_exits1_withOneLineSayingWhy() {
        Path socket = dir.resolve("nothing/api.sock");
        long start = System.nanoTime();

        int code = run("healthcheck", "-wait", "1s", "-socketPath", socket.toString());

        assertThat(code).isEqualTo(1);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
        assertThat(err.toString())
                .startsWith("server is not healthy after 1s: the admin socket " + socket + " does not exist")
                .hasLineCount(1);
    }

    @Test
    void badWait_isRefusedNamingTheFlag() {
        assertThat(run("healthcheck", "-wait", "soon")).isEqualTo(2);
        assertThat(err.toString()).contains("-wait");
    }
}
