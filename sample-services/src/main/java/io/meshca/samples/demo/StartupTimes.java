package io.meshca.samples.demo;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * How long the demo's start-up took, step by step, from starting payments to orders' first working
 * connection. Printed once, never counted as traffic: on a loaded machine it is seconds, and a reader
 * should see where they went.
 *
 * @param total           from starting payments until orders said it is connected
 * @param paymentsUp      from starting payments until it listened and held its SVID
 * @param ordersSvid      from starting orders until it held its SVID
 * @param ordersConnected orders' own measure of its first connection to payments (TLS both ways)
 */
record StartupTimes(Duration total, Duration paymentsUp, Duration ordersSvid, Duration ordersConnected) {

    StartupTimes {
        Objects.requireNonNull(total, "total");
        Objects.requireNonNull(paymentsUp, "paymentsUp");
        Objects.requireNonNull(ordersSvid, "ordersSvid");
        Objects.requireNonNull(ordersConnected, "ordersConnected");
    }

    /** The readiness line, without the "demo: " prefix. */
    String line() {
        return "ready in " + seconds(total) + ": payments listening with its SVID after " + seconds(paymentsUp)
                + ", orders' SVID after " + seconds(ordersSvid) + ", orders connected to payments in "
                + seconds(ordersConnected);
    }

    private static String seconds(Duration duration) {
        return String.format(Locale.ROOT, "%.2fs", duration.toMillis() / 1000.0);
    }
}
