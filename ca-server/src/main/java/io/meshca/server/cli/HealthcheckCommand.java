package io.meshca.server.cli;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.meshca.common.config.Durations;
import io.meshca.common.grpc.UntilHealthy;
import io.meshca.server.health.ServerHealth;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "healthcheck",
        footer = "meshca server healthcheck -socketPath /tmp/meshca-server/private/api.sock",
        description = "Checks that the server is up and serving: its CA is valid and its datastore answers.")
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
            spec.commandLine()
                    .getErr()
                    .println("server is unhealthy: "
                            + unhealthy(channel, r.getStatus(), Duration.ofSeconds(DEADLINE_SECONDS)));
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
                    : Optional.of(unhealthy(channel, r.getStatus(), timeout));
        } catch (StatusRuntimeException e) {
            // the socket may appear at any moment: try it at the next check, not after gRPC's own backoff
            channel.resetConnectBackoff();
            return Optional.of(ServerMain.message(e, spec.commandLine()));
        }
    }

    /**
     * The status and which part is down, from the part's own health service: "NOT_SERVING (its datastore
     * is unreachable; see the server log)". Both parts serving means the server is shutting down.
     */
    private String unhealthy(ManagedChannel channel, HealthCheckResponse.ServingStatus status, Duration timeout) {
        List<String> down = new ArrayList<>();
        if (notServing(channel, ServerHealth.DATASTORE, timeout)) {
            down.add("its datastore is unreachable");
        }
        if (notServing(channel, ServerHealth.CA, timeout)) {
            down.add("its active X.509 CA has expired");
        }
        String why = down.isEmpty() ? "it is shutting down" : String.join(", and ", down);
        return status + " (" + why + "; see the server log)";
    }

    private boolean notServing(ManagedChannel channel, String service, Duration timeout) {
        try {
            HealthCheckResponse r = HealthGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
                    .check(HealthCheckRequest.newBuilder().setService(service).build());
            return r.getStatus() != HealthCheckResponse.ServingStatus.SERVING;
        } catch (StatusRuntimeException e) {
            return false; // a server that does not report its parts (NOT_FOUND), or one that just went away
        }
    }
}
