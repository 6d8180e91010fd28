package io.meshca.samples.bench;

import io.meshca.common.config.Durations;
import io.meshca.samples.JvmOptions;
import io.meshca.server.api.admin.AdminClient;
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

/** {@code bench storm}: every agent reconnects at once and asks for all its SVIDs; the server must hold. */
@Command(
        name = "storm",
        mixinStandardHelpOptions = true,
        description = {
            "Start a ca-server in its own process (java -jar meshca-server.jar run, as ./meshca server run does),"
                    + " attest -agents agents with join tokens and register -svids-per-agent entries for each."
                    + " Then every agent opens a new mTLS connection and asks for all its SVIDs at once (batches of"
                    + " at most 100, as the agent sends them); a call refused as busy (RESOURCE_EXHAUSTED) is"
                    + " retried after the RetryInfo delay plus jitter, as the agent does. The server's RSS and"
                    + " threads are sampled every 100 ms until every SVID is issued.",
            "The last line is `storm: requests=<n> admitted=<n> rejected=<n> completed=<n> p99_ms=<n>"
                    + " server_rss_mb=<n> errors=<n>`, counted per SVID (a CSR refused twice counts twice in"
                    + " rejected); p99_ms is the latency of admitted calls, server_rss_mb the server's peak RSS."
        })
public final class StormBenchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "-agents", defaultValue = "1000", description = "agents (default: ${DEFAULT-VALUE})")
    int agents;

    @Option(
            names = "-svids-per-agent",
            defaultValue = "10",
            description = "SVIDs each agent asks for (default: ${DEFAULT-VALUE})")
    int svidsPerAgent;

    @Option(
            names = "-signingQueueSize",
            description = "the server's signingQueueSize (default: the server's own default)")
    Integer signingQueueSize;

    @Option(
            names = "-timeout",
            defaultValue = "300s",
            converter = Durations.Positive.class,
            description = "how long to wait for every SVID before reporting what arrived (default: ${DEFAULT-VALUE})")
    Duration timeout;

    @Option(
            names = "-serverJar",
            description = "the server jar (default: $" + WorkloadApiBenchCommand.HOME_ENV
                    + "/ca-server/target/meshca-server.jar)")
    Path serverJar;

    @Option(
            names = "-serverJavaOptions",
            description = "JVM options of the server process, space-separated (default: as ./meshca server run starts"
                    + " it: $" + "MESHCA_SERVER_JAVA_OPTS, else ca-server/jvm.options)")
    String serverJavaOptions;

    @Override
    public Integer call() throws Exception {
        BenchCommand.requirePositive(agents, "-agents");
        BenchCommand.requirePositive(svidsPerAgent, "-svids-per-agent");
        if (signingQueueSize != null) {
            BenchCommand.requirePositive(signingQueueSize, "-signingQueueSize");
        }
        PrintWriter out = spec.commandLine().getOut();
        Path home = Path.of(Optional.ofNullable(System.getenv(WorkloadApiBenchCommand.HOME_ENV))
                        .filter(s -> !s.isBlank())
                        .orElse(""))
                .toAbsolutePath();
        Path jar = Optional.ofNullable(serverJar).orElseGet(() -> home.resolve("ca-server/target/meshca-server.jar"));
        List<String> javaOptions = serverJavaOptions == null
                ? JvmOptions.of(JvmOptions.Process.SERVER, home)
                : JvmOptions.split(serverJavaOptions);
        Path dir = Files.createTempDirectory("meshca-bench-storm");
        StormBench.Result result;
        try (ServerProcess server =
                        ServerProcess.start(jar, javaOptions, dir, signingQueueSize == null ? 0 : signingQueueSize);
                AdminClient admin = AdminClient.connect(server.adminSocket())) {
            out.println("bench: server process " + server.pid() + " on 127.0.0.1:" + server.port()
                    + " (signingQueueSize " + (signingQueueSize == null ? "default" : signingQueueSize) + ", jvm=\""
                    + JvmOptions.describe(javaOptions) + "\"), bench JVM " + ProcessStats.heap() + ", "
                    + Runtime.getRuntime().availableProcessors() + " cores; " + agents + " agents x " + svidsPerAgent
                    + " SVIDs");
            out.flush();
            result = new StormBench(server, admin, agents, svidsPerAgent, timeout, out).run();
        } finally {
            BenchServer.deleteTree(dir);
        }
        out.println(result.line());
        out.flush();
        return result.completed() == result.requests() && result.errors() == 0 ? 0 : 1;
    }
}
