package io.meshca.samples.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshca.samples.SamplesMain;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The bench commands run end to end on tiny settings and print their figures in the documented
 * format. Nothing here checks a figure's value: benchmarks are commands, not timed tests.
 */
class BenchCommandsTest {

    private static final String NUMBER = "\\d+\\.\\d{2}";

    private record Run(int exitCode, List<String> lines, String err) {
        String last(int fromEnd) {
            return lines.get(lines.size() - 1 - fromEnd);
        }
    }

    private static Run run(String... args) {
        CommandLine cli = SamplesMain.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        return new Run(code, out.toString().lines().toList(), err.toString());
    }

    @Test
    void benchIssue_signsThroughTheAgentApi_andEndsWithTheIssueLine() {
        Run run = run("bench", "issue", "-duration", "2s", "-warmup", "0s", "-concurrency", "2", "-batch", "3");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.last(0))
                .matches("issue: rate=\\d+/s p50=" + NUMBER + " p99=" + NUMBER + " errors=0 provider=Conscrypt");
        assertThat(run.last(0)).doesNotContain("rate=0/s");
    }

    private static Path agentJar() {
        Path jar = Path.of("../workload-api/target/meshca-agent.jar")
                .toAbsolutePath()
                .normalize();
        Assumptions.assumeTrue(
                Files.isRegularFile(jar),
                "the agent jar is built by the reactor before this module; not there when run alone: " + jar);
        return jar;
    }

    @Test
    void benchWorkloadApi_endsWithTheConnectedFirstSvidAndPropagationLines() {
        Run run = run(
                "bench",
                "workload-api",
                "-clients",
                "3",
                "-rounds",
                "1",
                "-warmup",
                "0s",
                "-entries",
                "2",
                "-streams",
                "0",
                "-agentJar",
                agentJar().toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.last(3))
                .matches("workload-api-grpc-java: clients=3 p50=" + NUMBER + " p99=" + NUMBER + " errors=0");
        assertThat(run.last(2)).matches("workload-api-connected: clients=3 p50=" + NUMBER + " p99=" + NUMBER);
        assertThat(run.last(1)).matches("workload-api: clients=3 p50=" + NUMBER + " p99=" + NUMBER + " errors=0");
        assertThat(run.last(0)).matches("propagation: p50=" + NUMBER + " p99=" + NUMBER);
        assertThat(run.lines()).noneMatch(l -> l.startsWith("agent-memory:"));
        assertThat(run.lines())
                .anyMatch(l -> l.matches("bench: 3 first SVIDs measured; agent CPU \\d+ us per connection.*"));
    }

    @Test
    void benchWorkloadApi_readsTheMemoryOfTheAgentProcess_withStreamsOpen() {
        Run run = run(
                "bench",
                "workload-api",
                "-clients",
                "2",
                "-rounds",
                "1",
                "-warmup",
                "0s",
                "-entries",
                "1",
                "-streams",
                "5",
                "-agentJar",
                agentJar().toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.last(4)).matches("agent-memory: streams=5 rss=\\d+MB jvm=\".+\"");
        assertThat(run.last(3)).startsWith("workload-api-grpc-java: clients=2 ");
        assertThat(run.last(2)).startsWith("workload-api-connected: clients=2 ");
        assertThat(run.last(1)).startsWith("workload-api: clients=2 ");
    }

    @Test
    void benchTaint_reissuesEverySvidOfTheTaintedCa_andEndsWithTheTaintLine() {
        Run run = run("bench", "taint", "-agents", "2", "-svids", "5", "-warmup", "1");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.last(0)).matches("taint: svids=5 agents=2 reissued=5 p99=" + NUMBER + " all=" + NUMBER);
        // one warm-up and the measured cycle, each checked over the Workload API and ended by a revoke
        assertThat(run.lines())
                .filteredOn(l -> l.startsWith("bench: rotated: "))
                .hasSize(2);
        assertThat(run.lines())
                .filteredOn(l -> l.startsWith("bench: Workload API: all 2 sampled workloads received an SVID"))
                .hasSize(2);
        assertThat(run.lines())
                .filteredOn(
                        l -> l.matches("bench: revoked [0-9a-f]+: gone from the server's bundle, and from all 2 .*"))
                .hasSize(2);
        assertThat(run.lines()).anyMatch(l -> l.startsWith("bench: warm-up 1 of 1 (not counted): 5 re-issued"));
    }

    @Test
    void badFlags_areOneLineErrors() {
        Run zero = run("bench", "issue", "-concurrency", "0");
        assertThat(zero.exitCode()).isNotZero();
        assertThat(zero.err()).contains("-concurrency must be at least 1");

        Run remote = run("bench", "issue", "-serverAddress", "127.0.0.1:1");
        assertThat(remote.exitCode()).isNotZero();
        assertThat(remote.err()).contains("-serverAddress needs -trustBundle, -joinToken and -entryID");

        Run fewSvids = run("bench", "taint", "-agents", "3", "-svids", "2");
        assertThat(fewSvids.exitCode()).isNotZero();
        assertThat(fewSvids.err()).contains("-svids must be at least -agents");

        Run duration = run("bench", "issue", "-duration", "soon");
        assertThat(duration.exitCode()).isNotZero();
        assertThat(duration.err()).contains("invalid duration");

        Run shortCa = run("bench", "rotation", "-caTtl", "30s");
        assertThat(shortCa.exitCode()).isNotZero();
        assertThat(shortCa.err()).contains("-caTtl must be at least 1m");

        Run noPairs = run("bench", "rotation", "-pairs", "0");
        assertThat(noPairs.exitCode()).isNotZero();
        assertThat(noPairs.err()).contains("-pairs must be at least 1");

        Run negativeLoad = run("bench", "rotation", "-load", "-1");
        assertThat(negativeLoad.exitCode()).isNotZero();
        assertThat(negativeLoad.err()).contains("-load must be 0 or more");
    }

    @Test
    void benchRotation_shorterThanACaRotation_stillEndsWithTheRotationLine() {
        Run run = run("bench", "rotation", "-duration", "3s", "-pairs", "1", "-rate", "10");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.last(0))
                .matches("rotation: requests=[1-9]\\d* failed=0 ca_rotations=0 taints=0 root_rotations=0 reissue_p99="
                        + NUMBER);
        assertThat(run.last(1)).matches("rotation: load average .+ \\(\\d+ CPUs\\)");
        assertThat(run.lines()).anyMatch(l -> l.contains("1 pairs connected in") && l.contains("meshca bench root 1"));
    }
}
