package io.meshca.samples.bench;

import io.meshca.common.config.Durations;
import io.meshca.common.spiffe.Selector;
import io.meshca.common.spiffe.SelectorSet;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.samples.JvmOptions;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code bench workload-api}: first-SVID latency, entry-to-SVID propagation, agent memory under many streams. */
@Command(
        name = "workload-api",
        mixinStandardHelpOptions = true,
        description = {
            "Start a ca-server in this process and the node agent jar as its own process with the JVM options "
                    + "./meshca agent uses, register this process, then measure against that agent: the time from connecting to "
                    + "the first X509-SVID for N concurrent workloads (grpc-java channels, then minimal clients after -warmup of "
                    + "unmeasured bursts), from starting the call to the first X509-SVID for N workloads connected beforehand, "
                    + "and from creating an entry to its SVID on an open stream; with -streams > 0, finally the agent's resident "
                    + "memory (VmRSS) while it serves that many streams.",
            "The last lines are `workload-api-connected: clients=<n> p50=<ms> p99=<ms>`, "
                    + "`workload-api: clients=<n> p50=<ms> p99=<ms> errors=<n>` and `propagation: p50=<ms> p99=<ms>`."
        })
public final class WorkloadApiBenchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    static final String HOME_ENV = "MESHCA_HOME";
    static final SpiffeId NODE = SpiffeId.parse("spiffe://example.org/meshca-bench/node");
    static final SpiffeId WORKLOAD = SpiffeId.parse("spiffe://example.org/meshca-bench/workload");

    @Option(names = "-clients", defaultValue = "100", description = "concurrent workloads (default: ${DEFAULT-VALUE})")
    int clients;

    @Option(
            names = "-rounds",
            defaultValue = "5",
            description =
                    "measured rounds of -clients connections, after one unmeasured round (default: ${DEFAULT-VALUE})")
    int rounds;

    @Option(
            names = "-warmup",
            defaultValue = "20s",
            converter = Durations.NonNegative.class,
            description =
                    "bursts of -clients minimal connections before the workload-api line's rounds, so the agent's "
                            + "connection path is compiled as in a long-running agent (default: ${DEFAULT-VALUE})")
    Duration warmup;

    @Option(
            names = "-entries",
            defaultValue = "20",
            description = "entries created to measure propagation (default: ${DEFAULT-VALUE})")
    int entries;

    @Option(
            names = "-streams",
            defaultValue = "1000",
            description =
                    "streams held open on an agent process to read its memory; 0 skips it (default: ${DEFAULT-VALUE})")
    int streams;

    @Option(
            names = "-agentJar",
            description = "the agent jar (default: $" + HOME_ENV + "/workload-api/target/meshca-agent.jar)")
    Path agentJar;

    @Option(
            names = "-agentJavaOptions",
            description = "JVM options for the agent process, space-separated, e.g. \"-Xmx64m -XX:+UseSerialGC\"; "
                    + "\"\" for the JVM's defaults (default: those ./meshca agent starts it with: $MESHCA_AGENT_JAVA_OPTS, "
                    + "else workload-api/jvm.options)")
    String agentJavaOptions;

    @Override
    public Integer call() throws Exception {
        BenchCommand.requirePositive(clients, "-clients");
        BenchCommand.requirePositive(rounds, "-rounds");
        BenchCommand.requirePositive(entries, "-entries");
        PrintWriter out = spec.commandLine().getOut();
        long uid = ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
        SelectorSet thisUid = SelectorSet.of(Selector.parse("unix:uid:" + uid));
        Path home = Path.of(Optional.ofNullable(System.getenv(HOME_ENV))
                        .filter(s -> !s.isBlank())
                        .orElse(""))
                .toAbsolutePath();
        Path jar = Optional.ofNullable(agentJar).orElseGet(() -> home.resolve("workload-api/target/meshca-agent.jar"));
        // measured as shipped: the options ./meshca agent starts it with, unless told otherwise
        List<String> javaOptions = agentJavaOptions == null
                ? JvmOptions.of(JvmOptions.Process.AGENT, home)
                : JvmOptions.split(agentJavaOptions);
        String memoryLine = null;
        WorkloadApiBench.Figures first;
        WorkloadApiBench.Figures grpcJava;
        WorkloadApiBench.Figures connected;
        WorkloadApiBench.Figures propagation;
        try (BenchServer bench = BenchServer.start("meshca-bench-wl")) {
            var server = bench.server;
            bench.admin.createEntry(WORKLOAD, NODE, thisUid, Duration.ZERO);
            Path socket = bench.dir.resolve("agent/api.sock");
            try (AgentProcess agent = AgentProcess.start(
                    jar,
                    javaOptions,
                    server.agentApiPort(),
                    bench.writeBundle(),
                    bench.admin.generateJoinToken(Duration.ofMinutes(10), Optional.of(NODE)),
                    socket,
                    bench.dir.resolve("agent-data"),
                    bench.dir.resolve("agent.log"))) {
                agent.awaitSocket(Duration.ofSeconds(60));
                WorkloadApiBench.awaitServed(socket);
                WorkloadApiBench wl = new WorkloadApiBench(socket);
                out.println("bench: agent process " + agent.pid() + " serving on " + socket + " (jvm=\""
                        + JvmOptions.describe(javaOptions) + "\"); one warm-up round per client kind, "
                        + warmup.toSeconds() + " s of warm-up bursts before the workload-api rounds");
                out.flush();
                wl.firstSvid(clients, 1);
                grpcJava = wl.firstSvid(clients, rounds);
                wl.firstSvidConnected(clients, 1);
                connected = wl.firstSvidConnected(clients, rounds);
                wl.warmUp(clients, warmup);
                long cpuBefore = agent.cpuMicros();
                first = wl.firstSvidRaw(clients, rounds);
                long cpu = agent.cpuMicros() - cpuBefore;
                out.println("bench: " + first.samples() + " first SVIDs measured; agent CPU "
                        + cpu / Math.max(1, first.samples()) + " us per connection + first SVID; creating " + entries
                        + " entries");
                propagation = wl.propagation(bench.admin, NODE, thisUid, entries);
                if (streams > 0) {
                    memoryLine = agentMemory(agent, socket, javaOptions, out);
                }
            }
        }
        if (memoryLine != null) {
            out.println(memoryLine);
        }
        // grpc-java clients in this process: their channel set-up shares the agent's two cores
        out.println("workload-api-grpc-java: clients=" + clients + " p50=" + Latencies.ms(grpcJava.p50Millis())
                + " p99=" + Latencies.ms(grpcJava.p99Millis()) + " errors=" + grpcJava.errors());
        out.println("workload-api-connected: clients=" + clients + " p50=" + Latencies.ms(connected.p50Millis())
                + " p99=" + Latencies.ms(connected.p99Millis()));
        // the agent's figure: minimal raw HTTP/2 clients, burst start -> first SVID
        out.println("workload-api: clients=" + clients + " p50=" + Latencies.ms(first.p50Millis()) + " p99="
                + Latencies.ms(first.p99Millis()) + " errors=" + first.errors());
        out.println("propagation: p50=" + Latencies.ms(propagation.p50Millis()) + " p99="
                + Latencies.ms(propagation.p99Millis()));
        out.flush();
        return first.errors() == 0 && grpcJava.errors() == 0 && connected.errors() == 0 && propagation.errors() == 0
                ? 0
                : 1;
    }

    /** RSS while the agent, after the connection storms above, serves {@code streams} open streams. */
    private String agentMemory(AgentProcess agent, Path socket, List<String> javaOptions, PrintWriter out)
            throws Exception {
        out.println("bench: opening " + streams + " streams");
        out.flush();
        try (WorkloadStreams ws = new WorkloadStreams(socket)) {
            List<WorkloadStreams.Stream> open = WorkloadApiBench.holdStreams(ws, streams);
            try {
                // let the streams settle (every first message sent, buffers returned) before reading RSS
                Thread.sleep(2000);
                long kb = agent.residentKilobytes();
                return "agent-memory: streams=" + streams + " rss=" + Math.round(kb / 1024.0) + "MB" + " jvm=\""
                        + JvmOptions.describe(javaOptions) + "\"";
            } finally {
                open.forEach(WorkloadStreams.Stream::close);
            }
        }
    }
}
