package io.meshca.samples.bench;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code bench issue|workload-api|rotation|taint|storm|cli|sync}: commands that print figures (benchmarks are commands,
 * not timed tests).
 */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        subcommands = {
            IssueBenchCommand.class,
            WorkloadApiBenchCommand.class,
            RotationBenchCommand.class,
            TaintBenchCommand.class,
            StormBenchCommand.class,
            CliBenchCommand.class,
            SyncBenchCommand.class
        },
        description = "Measure issuance throughput, Workload API latency, mTLS through CA and root rotations, taint"
                + " recovery, a signing storm, admin command start-up, and scale-out sync over PostgreSQL.")
public final class BenchCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    static void requirePositive(int value, String flag) {
        if (value < 1) {
            throw new IllegalArgumentException(flag + " must be at least 1");
        }
    }
}
