package io.meshca.server.cli;

import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "healthcheck",
        footer = "meshca server healthcheck -socketPath /tmp/meshca-server/private/api.sock",
        description = "Checks that the server is up and serving.")
final class HealthcheckCommand extends AdminCommand {

    @Option(names = "-shallow", description = "Accepted for SPIRE compatibility; the check is always the same.")
    boolean shallow;

    @Option(names = "-verbose", description = "Print the status even when healthy.")
    boolean verbose;

    @Override
    int call(ManagedChannel channel) {
        HealthCheckResponse r =
                withDeadline(HealthGrpc.newBlockingStub(channel)).check(HealthCheckRequest.getDefaultInstance());
        if (r.getStatus() != HealthCheckResponse.ServingStatus.SERVING) {
            spec.commandLine()
                    .getErr()
                    .println("server is unhealthy: " + r.getStatus()
                            + " (its active X.509 CA has expired, or it is shutting down; see the server log)");
            return 1;
        }
        out().println("Server is healthy.");
        return 0;
    }
}
