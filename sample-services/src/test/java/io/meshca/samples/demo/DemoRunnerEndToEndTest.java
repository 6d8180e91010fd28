package io.meshca.samples.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The demo as shipped: ca-server and the agent from their jars, orders and payments as separate JVMs
 * under their own main classes, real attestation, real rotation. Short run, short TTL.
 */
class DemoRunnerEndToEndTest {

    private static final Pattern LAST_LINE =
            Pattern.compile("demo: requests=(\\d+) failed=(\\d+) rotations=(\\d+) ca_rotations=(\\d+)");
    private static final Pattern WORKING_DIR = Pattern.compile("demo: working in (.+)");
    private static final Pattern READY =
            Pattern.compile("demo: ready in (\\d+\\.\\d\\d)s: payments listening with its SVID"
                    + " after \\d+\\.\\d\\ds, orders' SVID after \\d+\\.\\d\\ds, orders connected to payments in"
                    + " (\\d+\\.\\d\\d)s; calling payments .*");

    @Test
    void theDemo_runsTrafficThroughRotations_withoutAFailedRequest_andCleansUp() {
        Path home = Path.of("..").toAbsolutePath().normalize();
        assumeTrue(
                Files.isRegularFile(home.resolve(MeshcaCommands.SERVER_JAR))
                        && Files.isRegularFile(home.resolve(MeshcaCommands.AGENT_JAR)),
                "the server and agent jars are not built (./mvnw verify builds them before this module)");
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        // also to the test's own output, so a failing run can be read in the surefire report
        PrintStream out = new PrintStream(new Tee(captured, System.out), true, StandardCharsets.UTF_8);
        DemoOptions options = new DemoOptions(
                // the demo's CA lives a minute and is replaced at 50 s: run long enough to see it
                Duration.ofSeconds(55),
                DemoOptions.DEFAULT_TTL,
                10,
                home,
                DemoCommand.workloadClasspath(),
                Duration.ofSeconds(5));

        int exitCode = new DemoRunner(options, DemoCommand.currentJava(), out, Clock.systemUTC()).run();

        List<String> lines = captured.toString(StandardCharsets.UTF_8).lines().toList();
        Matcher last = LAST_LINE.matcher(lines.get(lines.size() - 1));
        assertThat(last.matches())
                .as("last line: %s", lines.get(lines.size() - 1))
                .isTrue();
        assertThat(Long.parseLong(last.group(1))).as("requests").isPositive();
        assertThat(Long.parseLong(last.group(2))).as("failed").isZero();
        assertThat(Long.parseLong(last.group(3))).as("rotations").isGreaterThanOrEqualTo(1);
        // the server rotated its CA under the traffic, and the services moved to SVIDs of the new one
        assertThat(Long.parseLong(last.group(4))).as("ca_rotations").isGreaterThanOrEqualTo(1);
        assertThat(exitCode).isZero();

        // start-up is reported, not counted: one readiness line, before any progress line
        int ready = indexOf(lines, line -> READY.matcher(line).matches());
        int firstProgress = indexOf(lines, line -> line.startsWith("[") && line.contains("requests ok="));
        assertThat(ready).as("the readiness line: %s", lines).isNotNegative();
        assertThat(firstProgress).as("a progress line").isGreaterThan(ready);
        Matcher readiness = READY.matcher(lines.get(ready));
        assertThat(readiness.matches()).isTrue();
        assertThat(Double.parseDouble(readiness.group(1)))
                .as("the whole start-up includes the connection")
                .isGreaterThanOrEqualTo(Double.parseDouble(readiness.group(2)));
        // both services' SVIDs were matched to the CA that signed them, so a CA rotation would be counted
        assertThat(lines.get(firstProgress)).doesNotContain("orders_ca=-").doesNotContain("payments_ca=-");
        // every failed request would be printed with its cause; none failed, so none is
        assertThat(lines)
                .as("failed requests printed")
                .noneMatch(line -> line.startsWith("demo: request ") && line.contains(" failed: side="));
        Path workDir = lines.stream()
                .map(WORKING_DIR::matcher)
                .filter(Matcher::matches)
                .map(m -> Path.of(m.group(1)))
                .findFirst()
                .orElseThrow();
        assertThat(workDir).doesNotExist();
        assertThat(ProcessHandle.current()
                        .descendants()
                        .filter(ProcessHandle::isAlive)
                        .map(ProcessHandle::pid))
                .as("processes the demo left running")
                .isEmpty();
    }

    private static int indexOf(List<String> lines, Predicate<String> wanted) {
        for (int i = 0; i < lines.size(); i++) {
            if (wanted.test(lines.get(i))) {
                return i;
            }
        }
        return -1;
    }

    private static final class Tee extends OutputStream {
        private final OutputStream a;
        private final OutputStream b;

        Tee(OutputStream a, OutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public void write(int c) throws IOException {
            a.write(c);
            b.write(c);
        }

        @Override
        public void write(byte[] bytes, int off, int len) throws IOException {
            a.write(bytes, off, len);
            b.write(bytes, off, len);
        }

        @Override
        public void flush() throws IOException {
            a.flush();
            b.flush();
        }
    }
}
