package io.meshca.samples;

import io.meshca.common.logging.JulBridge;
import io.meshca.samples.bench.BenchCommand;
import io.meshca.samples.cli.Cli;
import io.meshca.samples.demo.DemoCommand;
import io.meshca.samples.orders.OrdersCommand;
import io.meshca.samples.payments.PaymentsCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code java -jar meshca-samples.jar orders|payments|demo|bench ...}. The demo itself starts orders and
 * payments through their own main classes ({@code OrdersMain}, {@code PaymentsMain}), not through this
 * one, because the main class is part of their attested identity.
 */
@Command(
        name = "meshca-samples",
        mixinStandardHelpOptions = true,
        subcommands = {OrdersCommand.class, PaymentsCommand.class, DemoCommand.class, BenchCommand.class},
        description = "The meshca demo workloads, the demo runner and the bench commands.")
public final class SamplesMain implements Runnable {

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static void main(String[] args) {
        JulBridge.install();
        System.exit(commandLine().execute(args));
    }

    public static CommandLine commandLine() {
        return Cli.of(new SamplesMain());
    }
}
