package io.meshca.agent.cli;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.meshca.common.config.Durations;
import io.meshca.common.grpc.UntilHealthy;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code agent healthcheck}: asks the agent's {@code grpc.health.v1} service on its socket and exits 0
 * only if the agent says SERVING. An agent that answers is not necessarily healthy: once its own SVID
 * expired it still serves the Workload API, but can renew nothing and its workloads lose their
 * identities as they expire — it answers NOT_SERVING, and this command fails saying so.
 */
@Command(
        name = "healthcheck",
        footer = "meshca agent healthcheck -timeout 2s",
        description = "Checks that the agent is up and holds a valid agent SVID (exit 0) or not (exit 1)")
public final class HealthcheckCommand implements Callable<Integer> {

    static final String HEALTHY = "Agent is healthy.";
    static final String UNHEALTHY = "Agent is unhealthy: ";
    static final String NO_AGENT_SVID = "it holds no valid agent SVID (it expired, or the agent is not attested),"
            + " so it can renew nothing; see the agent's log";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

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
            description = "How long to wait for an answer (default: ${DEFAULT-VALUE})")
    Duration timeout;

    @Option(
            names = "-wait",
            paramLabel = "duration",
            defaultValue = "0s",
            converter = Durations.NonNegative.class,
            description = "Check again until the agent is healthy or this much time has passed, e.g. 30s"
                    + " (for scripts that start the agent; default: check once)")
    Duration wait;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Optional<String> problem =
                wait.isZero() ? check(timeout) : UntilHealthy.system().await(this::check, wait, timeout);
        if (problem.isPresent()) {
            err.println((wait.isZero() ? UNHEALTHY : "Agent is unhealthy after " + Durations.format(wait) + ": ")
                    + problem.get());
            err.flush();
            return 1;
        }
        out.println(HEALTHY);
        out.flush();
        return 0;
    }

    /** One check on a channel of its own, so that a socket that appears meanwhile is tried at once. */
    private Optional<String> check(Duration callTimeout) {
        try (WorkloadApiClient client = WorkloadApiClient.open(socketPath)) {
            HealthCheckResponse.ServingStatus status;
            try {
                status = client.health(callTimeout)
                        .check(HealthCheckRequest.getDefaultInstance())
                        .getStatus();
            } catch (StatusRuntimeException e) {
                return Optional.of(describe(client, e));
            }
            if (status != HealthCheckResponse.ServingStatus.SERVING) {
                return Optional.of(
                        status == HealthCheckResponse.ServingStatus.NOT_SERVING
                                ? NO_AGENT_SVID
                                : "it reports " + status);
            }
            return Optional.empty();
        }
    }

    private static String describe(WorkloadApiClient client, StatusRuntimeException e) {
        if (e.getStatus().getCode() == Status.Code.UNIMPLEMENTED) {
            return "the process on " + client.socket() + " serves no grpc.health.v1 (is it a meshca agent?)";
        }
        return client.describe(e);
    }
}
