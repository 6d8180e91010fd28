package io.meshca.samples.bench;

import io.meshca.agent.agent.NodeAgent;
import io.meshca.agent.config.AgentConfig;
import io.meshca.common.spiffe.Selector;
import io.meshca.common.spiffe.SelectorSet;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.samples.AgentJvmOptions;
import io.meshca.samples.cli.Durations;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code bench workload-api}: first-SVID latency, entry-to-SVID propagation, agent memory under many streams. */
@Command(name = "workload-api", mixinStandardHelpOptions = true,
        description = {"Start a ca-server and a node agent in this process, register this process, then measure the time "
                + "from connecting to the first X509-SVID for N concurrent workloads (threads and channel objects made "
                + "before the clock starts, the connections inside it), from starting the call to the first X509-SVID for N "
                + "workloads connected beforehand, and from creating an entry to its SVID on an open stream. "
                + "With -streams > 0, also start the agent jar as its own process and read its resident memory (VmRSS) "
                + "while it serves that many streams.",
                "The last lines are `workload-api-connected: clients=<n> p50=<ms> p99=<ms>`, "
                        + "`workload-api: clients=<n> p50=<ms> p99=<ms> errors=<n>` and `propagation: p50=<ms> p99=<ms>`."})
public final class WorkloadApiBenchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    static final String HOME_ENV = "MESHCA_HOME";
    static final SpiffeId NODE = SpiffeId.parse("spiffe://example.org/meshca-bench/node");
    static final SpiffeId MEMORY_NODE = SpiffeId.parse("spiffe://example.org/meshca-bench/memory-node");
    static final SpiffeId WORKLOAD = SpiffeId.parse("spiffe://example.org/meshca-bench/workload");

    @Option(names = "-clients", defaultValue = "100", description = "concurrent workloads (default: ${DEFAULT-VALUE})")
    int clients;

    @Option(names = "-rounds", defaultValue = "5",
            description = "measured rounds of -clients connections, after one unmeasured round (default: ${DEFAULT-VALUE})")
    int rounds;

    @Option(names = "-warmup", defaultValue = "20s", converter = Durations.class,
            description = "bursts of -clients minimal connections before the workload-api line's rounds, so the agent's "
                    + "connection path is compiled as in a long-running agent (default: ${DEFAULT-VALUE})")
    Duration warmup;

    @Option(names = "-entries", defaultValue = "20", description = "entries created to measure propagation (default: ${DEFAULT-VALUE})")
    int entries;

    @Option(names = "-streams", defaultValue = "1000",
            description = "streams held open on an agent process to read its memory; 0 skips it (default: ${DEFAULT-VALUE})")
    int streams;

    @Option(names = "-agentJar", description = "the agent jar for -streams (default: $" + HOME_ENV
            + "/workload-api/target/meshca-agent.jar)")
    Path agentJar;

    @Option(names = "-agentJavaOptions",
            description = "JVM options for the agent process of -streams, space-separated, e.g. \"-Xmx64m -XX:+UseSerialGC\"; "
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
        String memoryLine = null;
        WorkloadApiBench.Figures first;
        WorkloadApiBench.Figures grpcJava;
        WorkloadApiBench.Figures connected;
        WorkloadApiBench.Figures propagation;
        try (BenchServer bench = BenchServer.start("meshca-bench-wl")) {
            var server = bench.server;
            Path bundle = bench.writeBundle();
            if (streams > 0) {
                memoryLine = agentMemory(bench, bundle, thisUid, out);
            }
            server.createEntry(WORKLOAD, NODE, thisUid, Duration.ZERO);
            try (NodeAgent agent = NodeAgent.start(AgentConfig.builder()
                    .serverAddress("127.0.0.1")
                    .serverPort(server.agentApiPort())
                    .socketPath(bench.dir.resolve("agent/api.sock"))
                    .trustBundle(bundle)
                    .joinToken(server.generateJoinToken(Duration.ofMinutes(10), Optional.of(NODE)))
                    .dataDir(bench.dir.resolve("agent-data"))
                    .build())) {
                WorkloadApiBench.awaitServed(agent.socketPath());
                WorkloadApiBench wl = new WorkloadApiBench(agent.socketPath());
                out.println("bench: agent serving on " + agent.socketPath() + "; one warm-up round per client kind, "
                        + warmup.toSeconds() + " s of warm-up bursts before the workload-api rounds");
                out.flush();
                wl.firstSvid(clients, 1);
                grpcJava = wl.firstSvid(clients, rounds);
                wl.firstSvidConnected(clients, 1);
                connected = wl.firstSvidConnected(clients, rounds);
                wl.warmUp(clients, warmup);
                first = wl.firstSvidRaw(clients, rounds);
                out.println("bench: " + first.samples() + " first SVIDs measured; creating " + entries + " entries");
                propagation = wl.propagation(server, NODE, thisUid, entries);
            }
        }
        if (memoryLine != null) {
            out.println(memoryLine);
        }
        // grpc-java clients in this process: their channel set-up shares the agent's two cores
        out.println("workload-api-grpc-java: clients=" + clients + " p50=" + Latencies.ms(grpcJava.p50Millis()) + " p99="
                + Latencies.ms(grpcJava.p99Millis()) + " errors=" + grpcJava.errors());
        out.println("workload-api-connected: clients=" + clients + " p50=" + Latencies.ms(connected.p50Millis()) + " p99="
                + Latencies.ms(connected.p99Millis()));
        // the agent's figure: minimal raw HTTP/2 clients, connect -> first SVID

        out.println("workload-api: clients=" + clients + " p50=" + Latencies.ms(first.p50Millis()) + " p99="
                + Latencies.ms(first.p99Millis()) + " errors=" + first.errors());
        out.println("propagation: p50=" + Latencies.ms(propagation.p50Millis()) + " p99="
                + Latencies.ms(propagation.p99Millis()));
        out.flush();
        return first.errors() == 0 && grpcJava.errors() == 0 && connected.errors() == 0 && propagation.errors() == 0 ? 0 : 1;
    }

    private String agentMemory(BenchServer bench, Path bundle, SelectorSet selectors, PrintWriter out) throws Exception {
        bench.server.createEntry(WORKLOAD, MEMORY_NODE, selectors, Duration.ZERO);
        Path home = Path.of(Optional.ofNullable(System.getenv(HOME_ENV)).filter(s -> !s.isBlank()).orElse("")).toAbsolutePath();
        Path jar = Optional.ofNullable(agentJar).orElseGet(() -> home.resolve("workload-api/target/meshca-agent.jar"));
        Path socket = bench.dir.resolve("agent-process/api.sock");
        // measured as shipped: the options ./meshca agent starts it with, unless told otherwise
        List<String> javaOptions = agentJavaOptions == null ? AgentJvmOptions.of(home) : AgentJvmOptions.split(agentJavaOptions);
        try (AgentProcess agent = AgentProcess.start(jar, javaOptions, bench.server.agentApiPort(), bundle,
                bench.server.generateJoinToken(Duration.ofMinutes(10), Optional.of(MEMORY_NODE)), socket,
                bench.dir.resolve("agent-process-data"), bench.dir.resolve("agent-process.log"))) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Files.exists(socket)) {
                if (!agent.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException("the agent process did not open its socket; its log: "
                            + Files.readString(bench.dir.resolve("agent-process.log")));
                }
                Thread.sleep(50);
            }
            WorkloadApiBench.awaitServed(socket);
            out.println("bench: agent process " + agent.pid() + " serving; opening " + streams + " streams");
            try (WorkloadStreams ws = new WorkloadStreams(socket)) {
                List<WorkloadStreams.Stream> open = WorkloadApiBench.holdStreams(ws, streams);
                try {
                    // let the streams settle (every first message sent, buffers returned) before reading RSS
                    Thread.sleep(2000);
                    long kb = agent.residentKilobytes();
                    return "agent-memory: streams=" + streams + " rss=" + Math.round(kb / 1024.0) + "MB"
                            + " jvm=\"" + AgentJvmOptions.describe(javaOptions) + "\"";
                } finally {
                    open.forEach(WorkloadStreams.Stream::close);
                }
            }
        }
    }
}
