package io.meshca.samples.bench;

import io.meshca.common.config.Durations;
import io.meshca.samples.JvmOptions;
import io.meshca.server.cli.ServerMain;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code bench sync}: scale-out of the entry sync over ca-server replicas sharing PostgreSQL. */
@Command(
        name = "sync",
        mixinStandardHelpOptions = true,
        description = {
            "Start -replicas ca-server processes (as `./meshca server run` starts them, each with its own data dir,"
                    + " socket and port) on one PostgreSQL database, in a private schema dropped at the end: $"
                    + BenchSchema.BENCH_URL_ENV + ", else $" + BenchSchema.TEST_URL_ENV + ". Through the second"
                    + " replica's admin API create a join token (with a node alias) per agent and -entries entries"
                    + " spread over the aliases. -agents simulated agents (an attested identity and one watch"
                    + " stream each, over real gRPC and mutual TLS) attest spread over the replicas and watch the"
                    + " first one. Then measure: create -> delivered to the right agent for -changes new entries"
                    + " created on the second replica at -rate; one agent reconnecting with its revision after"
                    + " changes to its entries; a cold start of the second replica (stopped, started again with"
                    + " every entry in the database) until it is healthy and has served an agent's full snapshot.",
            "The last line is `sync: entries=<n> agents=<n> replicas=<n> cold_start_ms=<n> propagation_p99_ms=<n>"
                    + " reconnect_ms=<n> server_rss_mb=<n>` (server_rss_mb: the most any replica process had"
                    + " resident, VmHWM)."
        })
public final class SyncBenchCommand implements Callable<Integer> {

    static final String SERVER_JAR = "ca-server/target/meshca-server.jar";

    @Spec
    CommandSpec spec;

    @Option(names = "-entries", defaultValue = "100000", description = "entries loaded (default: ${DEFAULT-VALUE})")
    int entries;

    @Option(names = "-agents", defaultValue = "1000", description = "simulated agents (default: ${DEFAULT-VALUE})")
    int agents;

    @Option(names = "-replicas", defaultValue = "2", description = "ca-server processes (default: ${DEFAULT-VALUE})")
    int replicas;

    @Option(
            names = "-changes",
            defaultValue = "200",
            description = "entries created to time propagation (default: ${DEFAULT-VALUE})")
    int changes;

    @Option(
            names = "-rate",
            defaultValue = "20",
            description = "entries created per second while timing propagation (default: ${DEFAULT-VALUE})")
    double rate;

    @Option(
            names = "-timeout",
            defaultValue = "10m",
            converter = Durations.Positive.class,
            description = "the longest any one phase may take (default: ${DEFAULT-VALUE})")
    Duration timeout;

    @Option(
            names = "-serverJar",
            description = "the server jar (default: $" + WorkloadApiBenchCommand.HOME_ENV + "/" + SERVER_JAR
                    + "; where there is none, the server classes of this JVM's class path)")
    Path serverJar;

    @Option(
            names = "-serverJavaOptions",
            description = "JVM options of the server processes, space-separated (default: as ./meshca server run starts"
                    + " it: $" + "MESHCA_SERVER_JAVA_OPTS, else ca-server/jvm.options)")
    String serverJavaOptions;

    @Override
    public Integer call() throws Exception {
        BenchCommand.requirePositive(agents, "-agents");
        BenchCommand.requirePositive(changes, "-changes");
        if (replicas < 2) {
            throw new IllegalArgumentException("-replicas must be at least 2 (one takes the writes, one the watches)");
        }
        if (entries < agents) {
            throw new IllegalArgumentException("-entries must be at least -agents (each agent gets at least one)");
        }
        if (!(rate > 0)) {
            throw new IllegalArgumentException("-rate must be more than 0");
        }
        String databaseUrl = BenchSchema.configuredUrl(System.getenv())
                .orElseThrow(() -> new IllegalArgumentException(BenchSchema.NO_DATABASE));
        List<String> launch = launchCommand();
        PrintWriter out = spec.commandLine().getOut();

        Path dir = Files.createTempDirectory("meshca-bench-sync");
        // the servers' logs outlive a failed run, to read why; a finished or interrupted run leaves nothing
        AtomicBoolean failed = new AtomicBoolean();
        SyncBench.Result result;
        try (Cleanup cleanup = new Cleanup()) {
            cleanup.add(() -> {
                if (!failed.get() || cleanup.interrupted()) {
                    BenchServer.deleteTree(dir);
                }
            });
            try {
                result = run(cleanup, dir, databaseUrl, launch, out);
            } catch (Exception e) {
                if (!cleanup.interrupted()) {
                    failed.set(true);
                    out.println("bench: failed; the servers' logs are kept in " + dir);
                    out.flush();
                }
                throw e;
            }
        }
        out.println(result.line());
        out.flush();
        return result.complete() ? 0 : 1;
    }

    private SyncBench.Result run(Cleanup cleanup, Path dir, String databaseUrl, List<String> launch, PrintWriter out)
            throws Exception {
        BenchSchema schema = cleanup.add(BenchSchema.create(databaseUrl));
        List<ServerReplica> servers = new ArrayList<>();
        for (int i = 0; i < replicas; i++) {
            String name = "replica-" + (char) ('a' + i);
            servers.add(cleanup.add(ServerReplica.configure(name, launch, dir.resolve(name), schema.url())));
        }
        out.println("bench: " + replicas + " ca-server processes (" + describe(launch) + ") on PostgreSQL, schema "
                + schema.name() + "; " + entries + " entries over " + agents + " agents; "
                + Runtime.getRuntime().availableProcessors() + " cores, bench JVM " + ProcessStats.heap());
        out.flush();
        for (ServerReplica server : servers) {
            long started = server.start();
            server.awaitServing(timeout);
            TaintBench.say(
                    out,
                    "%s (pid %d) serving on 127.0.0.1:%d after %d ms (empty database)",
                    server.name(),
                    server.pid(),
                    server.port(),
                    (System.nanoTime() - started) / 1_000_000);
        }
        SyncBench.Settings settings = new SyncBench.Settings(entries, agents, changes, rate, timeout);
        return new SyncBench(servers, settings, out).run();
    }

    /** {@code java [options] -jar meshca-server.jar}, or the server's main class on this JVM's class path. */
    private List<String> launchCommand() {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>();
        command.add(java);
        Path home = Path.of(Optional.ofNullable(System.getenv(WorkloadApiBenchCommand.HOME_ENV))
                        .filter(s -> !s.isBlank())
                        .orElse(""))
                .toAbsolutePath();
        command.addAll(
                serverJavaOptions == null
                        ? JvmOptions.of(JvmOptions.Process.SERVER, home)
                        : JvmOptions.split(serverJavaOptions));
        Path jar = Optional.ofNullable(serverJar).orElseGet(() -> home.resolve(SERVER_JAR));
        if (Files.isRegularFile(jar)) {
            command.addAll(List.of("-jar", jar.toString()));
        } else if (serverJar != null) {
            throw new IllegalArgumentException("no server jar at " + serverJar);
        } else {
            command.addAll(List.of("-cp", System.getProperty("java.class.path"), ServerMain.class.getName()));
        }
        return command;
    }

    private static String describe(List<String> launch) {
        int main = launch.indexOf("-jar");
        String what = main >= 0
                ? "java -jar " + launch.get(main + 1)
                : "java -cp <this class path> " + launch.get(launch.size() - 1);
        List<String> options = launch.subList(1, main >= 0 ? main : launch.indexOf("-cp"));
        return what + ", jvm=\"" + JvmOptions.describe(options) + "\"";
    }
}
