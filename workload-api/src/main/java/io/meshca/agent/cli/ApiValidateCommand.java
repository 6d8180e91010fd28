package io.meshca.agent.cli;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.nimbusds.jose.util.JSONObjectUtils;
import io.grpc.StatusRuntimeException;
import io.meshca.common.config.Durations;
import io.meshca.proto.workload.ValidateJWTSVIDRequest;
import io.meshca.proto.workload.ValidateJWTSVIDResponse;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code agent api validate jwt}: asks the Workload API to validate a JWT-SVID for an audience. */
@Command(
        name = "validate",
        footer = "meshca agent api validate jwt -audience payments -svid eyJhbGciOiJFUzI1NiJ9...",
        description = "Validates SVIDs through the Workload API",
        subcommands = ApiValidateCommand.Jwt.class)
public final class ApiValidateCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(
            name = "jwt",
            footer = "meshca agent api validate jwt -audience payments -svid eyJhbGciOiJFUzI1NiJ9...",
            description = "Validates a JWT-SVID for an audience; exit code 1 if it is not valid")
    public static final class Jwt implements Callable<Integer> {

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(
                names = "-audience",
                paramLabel = "aud",
                required = true,
                description = "The audience the token must name")
        String audience;

        @Option(names = "-svid", paramLabel = "token", required = true, description = "The JWT-SVID")
        String svid;

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
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            try (WorkloadApiClient client = WorkloadApiClient.open(socketPath)) {
                ValidateJWTSVIDResponse response;
                try {
                    response = client.blockingStub()
                            .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
                            .validateJWTSVID(ValidateJWTSVIDRequest.newBuilder()
                                    .setAudience(audience)
                                    .setSvid(svid)
                                    .build());
                } catch (StatusRuntimeException e) {
                    err.println("error: validating the JWT-SVID: " + client.describe(e));
                    return 1;
                }
                out.println("SVID is valid.");
                out.println("SPIFFE ID : " + response.getSpiffeId());
                out.println("Claims    : " + JSONObjectUtils.toJSONString(map(response.getClaims())));
                out.flush();
                return 0;
            }
        }

        private static Map<String, Object> map(Struct struct) {
            Map<String, Object> out = new TreeMap<>();
            struct.getFieldsMap().forEach((name, value) -> out.put(name, plain(value)));
            return out;
        }

        /** Struct numbers are doubles; whole ones (exp, iat) print as integers, as in the token. */
        private static Object plain(Value value) {
            return switch (value.getKindCase()) {
                case NUMBER_VALUE ->
                    value.getNumberValue() == Math.rint(value.getNumberValue())
                            ? (Object) (long) value.getNumberValue()
                            : (Object) value.getNumberValue();
                case STRING_VALUE -> value.getStringValue();
                case BOOL_VALUE -> value.getBoolValue();
                case STRUCT_VALUE -> map(value.getStructValue());
                case LIST_VALUE ->
                    value.getListValue().getValuesList().stream()
                            .map(Jwt::plain)
                            .toList();
                default -> null;
            };
        }
    }
}
