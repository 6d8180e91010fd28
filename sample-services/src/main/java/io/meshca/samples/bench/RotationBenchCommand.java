package io.meshca.samples.bench;

import io.meshca.common.config.Durations;
import io.meshca.server.config.ServerConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code bench rotation}: mTLS traffic through every kind of CA and root rotation, with zero failures expected. */
@Command(
        name = "rotation",
        mixinStandardHelpOptions = true,
        description = {
            "Start, in this process, a ca-server whose CAs are signed by a throwaway corporate root through the disk "
                    + "upstream authority, and a node agent; open -pairs orders -> payments pairs (java-spiffe "
                    + "X509Sources from the agent's Workload API, mTLS, a new handshake every 2 s) and call payments "
                    + "-rate times a second per pair for -duration. Meanwhile the CA rotates on its schedule (prepared "
                    + "at 1/2, active at 5/6 of -caTtl), and after each automatic rotation, when a quarter of -caTtl "
                    + "is left, the operator forces a rotation, taints and revokes the OLD CA the SVIDs come from, and "
                    + "rotates the corporate root (new root published, signing files switched, old root tainted "
                    + "and revoked). Each failed request is printed as it fails.",
            "The last line is `rotation: requests=<n> failed=<n> ca_rotations=<n> taints=<n> root_rotations=<n> "
                    + "reissue_p99=<ms>`; reissue_p99 runs from a taint to a workload's source holding an SVID no "
                    + "longer chained to the tainted key. Exit code 0 only with no failed request and no failed step."
        })
public final class RotationBenchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(
            names = "-duration",
            defaultValue = "120s",
            converter = Durations.Positive.class,
            description = "how long traffic runs (a cycle under way is finished first) (default: ${DEFAULT-VALUE})")
    Duration duration;

    @Option(
            names = "-pairs",
            defaultValue = "4",
            description = "orders -> payments pairs, two workloads each (default: ${DEFAULT-VALUE})")
    int pairs;

    @Option(
            names = "-caTtl",
            defaultValue = "60s",
            converter = Durations.Positive.class,
            description = "the CA lifetime, at least 1m; every SVID lives half of it (default: ${DEFAULT-VALUE})")
    Duration caTtl;

    @Option(
            names = "-load",
            defaultValue = "0",
            description = "busy threads that saturate the CPUs meanwhile (default: ${DEFAULT-VALUE})")
    int load;

    @Option(
            names = "-rate",
            defaultValue = "20",
            description = "requests per second of each pair, one at a time (default: ${DEFAULT-VALUE})")
    double rate;

    @Override
    public Integer call() throws IOException, InterruptedException {
        BenchCommand.requirePositive(pairs, "-pairs");
        if (load < 0) {
            throw new IllegalArgumentException("-load must be 0 or more, got " + load);
        }
        if (caTtl.compareTo(ServerConfig.MIN_CA_TTL) < 0) {
            throw new IllegalArgumentException("-caTtl must be at least " + Durations.format(ServerConfig.MIN_CA_TTL)
                    + ", got " + Durations.format(caTtl));
        }
        PrintWriter out = spec.commandLine().getOut();
        RotationBench bench = new RotationBench(new RotationBench.Options(duration, pairs, caTtl, load, rate), line -> {
            synchronized (out) {
                out.println(line);
                out.flush();
            }
        });
        RotationBench.Result result = bench.run();
        synchronized (out) {
            result.problems().forEach(problem -> out.println("rotation: FAILED: " + problem));
            out.println("rotation: load average " + loadAverage());
            out.println(result.line());
            out.flush();
        }
        return result.passed() ? 0 : 1;
    }

    /** The 1, 5 and 15 minute load averages as the kernel reports them. */
    private static String loadAverage() throws IOException {
        String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
        return fields[0] + " " + fields[1] + " " + fields[2] + " ("
                + Runtime.getRuntime().availableProcessors() + " CPUs)";
    }
}
