package io.meshca.samples.bench;

import io.meshca.common.config.Durations;
import io.meshca.common.crypto.CryptoProvider;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code bench taint}: time from tainting the OLD CA until every SVID it signed is re-issued and delivered. */
@Command(
        name = "taint",
        mixinStandardHelpOptions = true,
        description = {
            "Start a ca-server and -agents node agents in this process (the real agent, each with its own join "
                    + "token, data dir and socket), register -svids entries spread over them, and wait until every "
                    + "agent holds its SVIDs. Then rotate the server's X.509 CA (localauthority x509 prepare, "
                    + "activate), taint the now OLD one, and time until every SVID has been re-issued by the new "
                    + "CA and stored in its agent's cache (the agents' workloadSvidsIssued events); one workload "
                    + "per agent checks over the Workload API that its new SVID is signed by the new CA. Finally "
                    + "revoke the tainted CA and check that it left the bundles.",
            "The last line is `taint: svids=<n> agents=<n> reissued=<n> p99=<ms> all=<ms>` (per-SVID latency "
                    + "from the taint call to its delivery; all = until the last)."
        })
public final class TaintBenchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "-agents", defaultValue = "100", description = "node agents (default: ${DEFAULT-VALUE})")
    int agents;

    @Option(
            names = "-svids",
            defaultValue = "10000",
            description = "SVIDs (entries) in all, spread evenly over the agents (default: ${DEFAULT-VALUE})")
    int svids;

    // The first issuance of every SVID leaves the JIT still compiling the re-issue path (measured: C1 and
    // C2 took a quarter to a third of the CPU of a taint right after it); a server that has run for a while
    // has it compiled, so the figure is taken in that steady state: on a quiet machine one warm-up cycle
    // gave 3,129 and 2,403 ms, three gave 2,451 and 2,341 ms.
    @Option(
            names = "-warmup",
            defaultValue = "3",
            description = "unmeasured rotate-taint-revoke cycles before the measured one (default: ${DEFAULT-VALUE})")
    int warmup;

    @Option(
            names = "-timeout",
            defaultValue = "120s",
            converter = Durations.Positive.class,
            description = "how long to wait for the re-issue before reporting what arrived (default: ${DEFAULT-VALUE})")
    Duration timeout;

    @Override
    public Integer call() throws Exception {
        BenchCommand.requirePositive(agents, "-agents");
        if (warmup < 0) {
            throw new IllegalArgumentException("-warmup must be at least 0");
        }
        if (svids < agents) {
            throw new IllegalArgumentException("-svids must be at least -agents (each agent gets at least one)");
        }
        PrintWriter out = spec.commandLine().getOut();
        long uid = ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
        TaintBench.Result result;
        try (BenchServer bench = BenchServer.start("meshca-bench-taint")) {
            out.println("bench: in-process ca-server on 127.0.0.1:" + bench.server.agentApiPort() + ", crypto provider "
                    + CryptoProvider.get().name() + ", " + Runtime.getRuntime().availableProcessors() + " cores, "
                    + ProcessStats.heap() + "; " + svids + " SVIDs over " + agents + " agents");
            out.flush();
            result = new TaintBench(bench, agents, svids, warmup, timeout, uid, out).run();
        }
        out.println(result.line());
        out.flush();
        return result.reissued() == svids ? 0 : 1;
    }
}
