package io.meshca.agent.cli;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.meshca.common.config.Durations;
import io.meshca.common.pki.Certificates;
import io.meshca.proto.workload.X509SVID;
import io.meshca.proto.workload.X509SVIDRequest;
import io.meshca.proto.workload.X509SVIDResponse;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code agent api fetch x509}: takes the first message of FetchX509SVID, prints each SVID and, with
 * {@code -write}, stores it as PEM files the way SPIRE does ({@code svid.<i>.pem} chain,
 * {@code svid.<i>.key} PKCS#8 key readable by the owner only, {@code bundle.<i>.pem}).
 */
@Command(
        name = "x509",
        footer = "meshca agent api fetch x509 -socketPath /tmp/meshca-agent/public/api.sock -write ./svids",
        description = "Fetches the caller's X509-SVIDs and bundles from the Workload API")
public final class ApiFetchX509Command implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(
            names = "-socketPath",
            paramLabel = "path",
            description = "Workload API socket (default: $SPIFFE_ENDPOINT_SOCKET, else "
                    + WorkloadApiClient.DEFAULT_SOCKET + ")")
    String socketPath;

    @Option(
            names = "-write",
            paramLabel = "dir",
            description = "Write the SVIDs, keys and bundles to this directory as PEM")
    Path writeDir;

    @Option(
            names = "-timeout",
            paramLabel = "duration",
            defaultValue = "5s",
            converter = Durations.Positive.class,
            description = "How long to wait for the Workload API (default: ${DEFAULT-VALUE})")
    Duration timeout;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        X509SVIDResponse response;
        try (WorkloadApiClient client = WorkloadApiClient.open(socketPath)) {
            try {
                response = firstMessage(client);
            } catch (StatusRuntimeException e) {
                // PERMISSION_DENIED: the agent knows no entry for this caller; say where to look.
                err.println("error: fetching X509-SVIDs: " + client.describe(e)
                        + (e.getStatus().getCode() == Status.Code.PERMISSION_DENIED
                                ? "; " + CallerUid.entryShowHint()
                                : ""));
                return 1;
            }
        }
        print(response, out);
        if (writeDir != null) {
            try {
                List<Path> written = SvidFiles.write(writeDir, response);
                out.println("Wrote " + written.size() + " files to " + writeDir);
            } catch (IOException e) {
                err.println("error: writing to " + writeDir + ": " + e.getMessage());
                return 1;
            }
        }
        out.flush();
        return 0;
    }

    private X509SVIDResponse firstMessage(WorkloadApiClient client) {
        return client.firstMessage(timeout, stub -> stub.fetchX509SVID(X509SVIDRequest.getDefaultInstance()));
    }

    static void print(X509SVIDResponse response, PrintWriter out) {
        out.printf("Received %d svid(s)%n", response.getSvidsCount());
        for (X509SVID svid : response.getSvidsList()) {
            List<X509Certificate> chain =
                    Certificates.parseConcatenated(svid.getX509Svid().toByteArray());
            X509Certificate leaf = chain.get(0);
            out.println();
            out.printf("SPIFFE ID:\t\t%s%n", svid.getSpiffeId());
            if (!svid.getHint().isEmpty()) {
                out.printf("Hint:\t\t\t%s%n", svid.getHint());
            }
            out.printf("Serial:\t\t\t%s%n", leaf.getSerialNumber().toString(16));
            out.printf("SVID Valid After:\t%s%n", leaf.getNotBefore().toInstant());
            out.printf("SVID Valid Until:\t%s%n", leaf.getNotAfter().toInstant());
            out.printf("Chain:\t\t\t%d certificate(s)%n", chain.size());
            out.printf(
                    "Bundle:\t\t\t%d CA certificate(s)%n",
                    Certificates.parseConcatenated(svid.getBundle().toByteArray())
                            .size());
        }
        for (Map.Entry<String, ByteString> federated :
                response.getFederatedBundlesMap().entrySet()) {
            out.printf(
                    "Federated bundle:\t%s (%d CA certificate(s))%n",
                    federated.getKey(),
                    Certificates.parseConcatenated(federated.getValue().toByteArray())
                            .size());
        }
    }
}
