package io.meshca.agent.cli;

import com.google.protobuf.ByteString;
import io.grpc.StatusRuntimeException;
import io.meshca.common.config.Durations;
import io.meshca.proto.workload.JWTBundlesRequest;
import io.meshca.proto.workload.JWTBundlesResponse;
import io.meshca.proto.workload.JWTSVID;
import io.meshca.proto.workload.JWTSVIDRequest;
import io.meshca.proto.workload.JWTSVIDResponse;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code agent api fetch jwt}: a JWT-SVID for the audience and the JWT bundles, printed as SPIRE's
 * {@code api fetch jwt} does ({@code token(<id>):} then the token, {@code bundle(<td>):} then the JWKS).
 */
@Command(
        name = "jwt",
        footer = "meshca agent api fetch jwt -audience payments",
        description = "Fetches a JWT-SVID for an audience and the JWT bundles from the Workload API")
public final class ApiFetchJwtCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(
            names = "-audience",
            paramLabel = "aud",
            required = true,
            split = ",",
            description = "Audience of the token (repeat, or separate with commas, for several)")
    List<String> audience;

    @Option(names = "-spiffeID", paramLabel = "id", description = "Which of the caller's identities (default: all)")
    String spiffeId;

    @Option(
            names = "-socketPath",
            paramLabel = "path",
            description = "Workload API socket (default: $SPIFFE_ENDPOINT_SOCKET, else "
                    + WorkloadApiClient.DEFAULT_SOCKET + ")")
    String socketPath;

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
        try (WorkloadApiClient client = WorkloadApiClient.open(socketPath)) {
            JWTSVIDResponse svids;
            JWTBundlesResponse bundles;
            try {
                JWTSVIDRequest.Builder request = JWTSVIDRequest.newBuilder().addAllAudience(audience);
                if (spiffeId != null) {
                    request.setSpiffeId(spiffeId);
                }
                svids = client.blockingStub()
                        .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
                        .fetchJWTSVID(request.build());
                bundles = client.firstMessage(
                        timeout, stub -> stub.fetchJWTBundles(JWTBundlesRequest.getDefaultInstance()));
            } catch (StatusRuntimeException e) {
                err.println("error: fetching JWT-SVIDs: " + client.describe(e));
                return 1;
            }
            for (JWTSVID svid : svids.getSvidsList()) {
                out.printf("token(%s):%n\t%s%n", svid.getSpiffeId(), svid.getSvid());
            }
            for (Map.Entry<String, ByteString> bundle : bundles.getBundlesMap().entrySet()) {
                out.printf(
                        "bundle(%s):%n\t%s%n",
                        bundle.getKey(), bundle.getValue().toString(StandardCharsets.UTF_8));
            }
            out.flush();
            return 0;
        }
    }
}
