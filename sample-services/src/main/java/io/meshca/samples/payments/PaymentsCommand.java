package io.meshca.samples.payments;

import io.meshca.common.config.Durations;
import io.meshca.samples.cli.LiveIdentity;
import io.meshca.samples.cli.ServiceOptions;
import io.meshca.samples.cli.UntilStopped;
import io.meshca.samples.status.StatusLine;
import io.meshca.samples.status.StatusOut;
import io.meshca.samples.tls.PeerPolicy;
import io.spiffe.spiffeid.SpiffeId;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code payments}: serves the payments API to the orders SPIFFE ID only, until stopped. */
@Command(
        name = "payments",
        mixinStandardHelpOptions = true,
        description = "Serve the payments API over mTLS; only the allowed client SPIFFE ID may call it.")
public final class PaymentsCommand implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(PaymentsCommand.class);

    @Mixin
    ServiceOptions service = new ServiceOptions();

    @Option(
            names = "-bindAddress",
            defaultValue = "127.0.0.1",
            description = "address to listen on (default: ${DEFAULT-VALUE})")
    String bindAddress;

    @Option(
            names = "-port",
            defaultValue = "9443",
            description = "port to listen on, 0 for any free port (default: ${DEFAULT-VALUE})")
    int port;

    @Option(
            names = "-allowedClientID",
            defaultValue = "spiffe://example.org/orders",
            description = "the only SPIFFE ID allowed to call (default: ${DEFAULT-VALUE})")
    String allowedClientId;

    @Option(
            names = "-maxConnectionAge",
            defaultValue = "5s",
            converter = Durations.Positive.class,
            description =
                    "clients reconnect (new handshake, current SVIDs) after this long (default: ${DEFAULT-VALUE})")
    Duration maxConnectionAge;

    @Override
    public Integer call() {
        PeerPolicy clients = PeerPolicy.only("payments", SpiffeId.parse(allowedClientId));
        StatusOut out = StatusOut.stdout();
        LiveIdentity identity = LiveIdentity.open(service, out);
        PaymentsServer server = PaymentsServer.start(
                new InetSocketAddress(bindAddress, port),
                identity.source(),
                clients,
                (peer, reason) -> {
                    log.warn("payments refused a connection from {}: {}", peer, reason);
                    // also as a status line: the demo prints it next to the request that failed for it
                    out.print(new StatusLine.Refused(peer + ": " + reason));
                },
                (peerId, serial) -> out.print(new StatusLine.Peer(peerId, serial)),
                maxConnectionAge);
        log.info(
                "payments listening on {}:{} as {}, accepting only {}",
                bindAddress,
                server.port(),
                identity.source().getX509Svid().getSpiffeId(),
                allowedClientId);
        out.print(new StatusLine.Listening(server.port()));
        UntilStopped.await(() -> {
            server.close();
            identity.close();
        });
        return 0;
    }
}
