package io.meshca.samples.payments;

import io.meshca.common.logging.JulBridge;
import io.meshca.samples.cli.Cli;

/**
 * Entry point of the payments process. A main class of its own, distinct from orders', so that the
 * agent's workload attestor can tell the two JVMs apart ({@code unix:java-main:...}) although both run
 * as the same user and the same {@code java} binary.
 */
public final class PaymentsMain {

    private PaymentsMain() {}

    public static void main(String[] args) {
        JulBridge.install();
        System.exit(Cli.of(new PaymentsCommand()).execute(args));
    }
}
