package io.meshca.agent.cli;

import io.grpc.StatusRuntimeException;
import io.meshca.common.pki.Certificates;
import io.meshca.proto.workload.X509SVID;
import io.meshca.proto.workload.X509SVIDRequest;
import io.meshca.proto.workload.X509SVIDResponse;
import java.io.PrintWriter;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Iterator;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code agent api watch}: keeps FetchX509SVID open and prints one line per update (rotation, entry
 * change) until interrupted or until the agent ends the stream.
 */
@Command(
        name = "watch",
        footer = "meshca agent api watch",
        description = "Prints a line for every X509-SVID update the Workload API sends, until interrupted")
public final class ApiWatchCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(
            names = "-socketPath",
            paramLabel = "path",
            description = "Workload API socket (default: $SPIFFE_ENDPOINT_SOCKET, else "
                    + WorkloadApiClient.DEFAULT_SOCKET + ")")
    String socketPath;

    private final Clock clock;

    public ApiWatchCommand() {
        this(Clock.systemUTC());
    }

    ApiWatchCommand(Clock clock) {
        this.clock = clock;
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try (WorkloadApiClient client = WorkloadApiClient.open(socketPath)) {
            try {
                Iterator<X509SVIDResponse> updates =
                        client.blockingStub().fetchX509SVID(X509SVIDRequest.getDefaultInstance());
                while (updates.hasNext()) {
                    out.println(line(updates.next()));
                    out.flush();
                }
                err.println("error: the Workload API ended the stream");
                return 1;
            } catch (StatusRuntimeException e) {
                err.println("error: watching X509-SVIDs: " + client.describe(e));
                return 1;
            }
        }
    }

    /** {@code <time> received N svid(s): <id> serial=<hex> expires=<instant>, ...}. */
    private String line(X509SVIDResponse response) {
        String svids =
                response.getSvidsList().stream().map(ApiWatchCommand::describe).collect(Collectors.joining(", "));
        return clock.instant() + " received " + response.getSvidsCount() + " svid(s): " + svids;
    }

    private static String describe(X509SVID svid) {
        X509Certificate leaf =
                Certificates.parseConcatenated(svid.getX509Svid().toByteArray()).get(0);
        return svid.getSpiffeId() + " serial=" + leaf.getSerialNumber().toString(16) + " expires="
                + leaf.getNotAfter().toInstant();
    }
}
