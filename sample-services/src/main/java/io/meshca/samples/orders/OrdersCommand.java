package io.meshca.samples.orders;

import io.meshca.common.config.Durations;
import io.meshca.samples.cli.LiveIdentity;
import io.meshca.samples.cli.ServiceOptions;
import io.meshca.samples.cli.UntilStopped;
import io.meshca.samples.status.StatusLine;
import io.meshca.samples.status.StatusOut;
import io.meshca.samples.tls.PeerPolicy;
import io.spiffe.spiffeid.SpiffeId;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code orders}: waits until payments answers the TLS handshake, then calls it in a loop and prints its
 * counters and each failed request, until stopped.
 */
@Command(
        name = "orders",
        mixinStandardHelpOptions = true,
        description = "Call payments over mTLS in a loop; the server must present the payments SPIFFE ID.")
public final class OrdersCommand implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(OrdersCommand.class);

    @Mixin
    ServiceOptions service = new ServiceOptions();

    @Option(
            names = "-paymentsAddress",
            defaultValue = "127.0.0.1:9443",
            description = "payments host:port (default: ${DEFAULT-VALUE})")
    String paymentsAddress;

    @Option(
            names = "-paymentsID",
            defaultValue = "spiffe://example.org/payments",
            description = "the SPIFFE ID payments must present (default: ${DEFAULT-VALUE})")
    String paymentsId;

    @Option(names = "-rate", defaultValue = "20", description = "requests per second (default: ${DEFAULT-VALUE})")
    double rate;

    @Option(
            names = "-readyTimeout",
            defaultValue = "60s",
            converter = Durations.Positive.class,
            description = "how long to wait for the first connection to payments before sending any request"
                    + " (default: ${DEFAULT-VALUE})")
    Duration readyTimeout;

    @Option(
            names = "-requestTimeout",
            defaultValue = "10s",
            converter = Durations.Positive.class,
            description = "each request's deadline (default: ${DEFAULT-VALUE})")
    Duration requestTimeout;

    @Option(
            names = "-statsInterval",
            defaultValue = "1s",
            converter = Durations.Positive.class,
            description = "how often to print the counters (default: ${DEFAULT-VALUE})")
    Duration statsInterval;

    @Override
    public Integer call() throws InterruptedException {
        PeerPolicy server = PeerPolicy.only("orders", SpiffeId.parse(paymentsId));
        StatusOut out = StatusOut.stdout();
        LiveIdentity identity = LiveIdentity.open(service, out);
        OrdersTraffic traffic =
                new OrdersTraffic(paymentsAddress, identity.source(), server, requestTimeout, out::print);
        Duration connected = traffic.awaitReady(readyTimeout);
        out.print(new StatusLine.Ready(connected.toMillis()));
        log.info(
                "orders as {} connected to payments at {} ({}) in {} ms, calling it {} times a second",
                identity.source().getX509Svid().getSpiffeId(),
                paymentsAddress,
                paymentsId,
                connected.toMillis(),
                rate);
        traffic.start(rate);
        identity.scheduler()
                .scheduleAtFixedRate(
                        () -> {
                            if (!traffic.stopping()) {
                                out.print(traffic.counters().snapshot());
                            }
                        },
                        statsInterval.toMillis(),
                        statsInterval.toMillis(),
                        TimeUnit.MILLISECONDS);
        UntilStopped.await(() -> {
            traffic.close();
            identity.close();
        });
        return 0;
    }
}
