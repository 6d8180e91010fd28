package io.meshca.samples.orders;

import io.meshca.common.logging.JulBridge;
import io.meshca.samples.cli.Cli;

/**
 * Entry point of the orders process. A main class of its own, distinct from payments', so that the
 * agent's workload attestor can tell the two JVMs apart ({@code unix:java-main:...}) although both run
 * as the same user and the same {@code java} binary.
 */
public final class OrdersMain {

    private OrdersMain() {}

    public static void main(String[] args) {
        JulBridge.install();
        System.exit(Cli.of(new OrdersCommand()).execute(args));
    }
}
