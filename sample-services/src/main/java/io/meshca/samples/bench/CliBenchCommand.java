package io.meshca.samples.bench;

import io.meshca.common.spiffe.Selector;
import io.meshca.common.spiffe.SelectorSet;
import io.meshca.common.spiffe.SpiffeId;
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

/** {@code bench cli}: wall time of admin commands as an operator types them, beside a bare JVM start. */
@Command(
        name = "cli",
        mixinStandardHelpOptions = true,
        description = {
            "Start a ca-server in this process with -entries registration entries, then run each command -runs"
                    + " times through the ./meshca launcher, round-robin so that noise falls on all alike:"
                    + " `java -version` (the floor: a JVM that loads nothing), `server healthcheck`, `server entry"
                    + " show`, and the same entry show with the plain JVM (no class-data sharing archive, default"
                    + " JIT and collector: MESHCA_CLI_JAVA_OPTS set empty). One unmeasured round first (it writes"
                    + " the launcher's class-data sharing archive when the jars are new).",
            "One line per command: `cli: command=<c> p50_ms=<n> p95_ms=<n>`."
        })
public final class CliBenchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(
            names = "-runs",
            defaultValue = "20",
            description = "measured runs of each command (default: ${DEFAULT-VALUE})")
    int runs;

    @Option(
            names = "-entries",
            defaultValue = "20",
            description = "registration entries for entry show to list (default: ${DEFAULT-VALUE})")
    int entries;

    @Override
    public Integer call() throws Exception {
        BenchCommand.requirePositive(runs, "-runs");
        BenchCommand.requirePositive(entries, "-entries");
        PrintWriter out = spec.commandLine().getOut();
        Path home = Path.of(Optional.ofNullable(System.getenv(WorkloadApiBenchCommand.HOME_ENV))
                        .filter(s -> !s.isBlank())
                        .orElse(""))
                .toAbsolutePath();
        Path launcher = home.resolve("meshca");
        if (!Files.isExecutable(launcher)) {
            throw new IllegalStateException("no launcher at " + launcher + " (run this as ./meshca bench cli)");
        }
        try (BenchServer bench = BenchServer.start("meshca-bench-cli")) {
            SpiffeId parent = SpiffeId.parse("spiffe://example.org/meshca-bench/node");
            for (int i = 0; i < entries; i++) {
                bench.admin.createEntry(
                        SpiffeId.parse("spiffe://example.org/meshca-bench/workload-" + i),
                        parent,
                        SelectorSet.of(Selector.parse("unix:uid:" + (10_000 + i))),
                        Duration.ZERO);
            }
            String socket = bench.server.adminSocketPath().toString();
            String java =
                    Path.of(System.getProperty("java.home"), "bin", "java").toString();
            List<CliRuns.Command> commands = List.of(
                    CliRuns.Command.of("java-version", List.of(java, "-version")),
                    CliRuns.Command.of(
                            "server-healthcheck",
                            List.of(launcher.toString(), "server", "healthcheck", "-socketPath", socket)),
                    CliRuns.Command.of(
                            "server-entry-show",
                            List.of(launcher.toString(), "server", "entry", "show", "-socketPath", socket)),
                    CliRuns.Command.of(
                                    "server-entry-show-plain-jvm",
                                    List.of(launcher.toString(), "server", "entry", "show", "-socketPath", socket))
                            .withEnvironment("MESHCA_CLI_JAVA_OPTS", ""));
            out.println("bench: in-process ca-server with " + entries + " entries; " + runs + " runs of each command, "
                    + Runtime.getRuntime().availableProcessors() + " cores, " + java);
            out.flush();
            for (CliRuns.Result result : new CliRuns(commands, runs).run()) {
                out.println(result.line());
            }
        }
        return 0;
    }
}
