package io.meshca.server.cli;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.meshca.common.config.Durations;
import io.meshca.common.grpc.UntilHealthy;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
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

    @Option(
            names = "-wait",
            paramLabel = "duration",
            converter = Durations.NonNegative.class,
            description = "Check again until the server is healthy or this much time has passed, e.g. 30s"
                    + " (for scripts that start the server; default: check once)")
    Duration wait = Duration.ZERO;

    @Override
    int call(ManagedChannel channel) throws InterruptedException {
        if (wait.isZero()) {
            return once(channel);
        }
        Optional<String> problem = UntilHealthy.system()
                .await(timeout -> check(channel, timeout), wait, Duration.ofSeconds(DEADLINE_SECONDS));
        if (problem.isPresent()) {
            spec.commandLine()
                    .getErr()
                    .println("server is not healthy after " + Durations.format(wait) + ": " + problem.get());
            return 1;
        }
        out().println("Server is healthy.");
        return 0;
    }

    private int once(ManagedChannel channel) {
        HealthCheckResponse r =
                withDeadline(HealthGrpc.newBlockingStub(channel)).check(HealthCheckRequest.getDefaultInstance());
        if (r.getStatus() != HealthCheckResponse.ServingStatus.SERVING) {
            spec.commandLine().getErr().println("server is unhealthy: " + unhealthy(r.getStatus()));
            return 1;
        }
        out().println("Server is healthy.");
        return 0;
    }

    private Optional<String> check(ManagedChannel channel, Duration timeout) {
        try {
            HealthCheckResponse r = HealthGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
                    .check(HealthCheckRequest.getDefaultInstance());
            return r.getStatus() == HealthCheckResponse.ServingStatus.SERVING
                    ? Optional.empty()
                    : Optional.of(unhealthy(r.getStatus()));
        } catch (StatusRuntimeException e) {
            // the socket may appear at any moment: try it at the next check, not after gRPC's own backoff
            channel.resetConnectBackoff();
            return Optional.of(ServerMain.message(e, spec.commandLine()));
        }
    }

    private static String unhealthy(HealthCheckResponse.ServingStatus status) {
        return status + " (its active X.509 CA has expired, or it is shutting down; see the server log)";
    }
}
