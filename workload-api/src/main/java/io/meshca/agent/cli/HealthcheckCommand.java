package io.meshca.agent.cli;

import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.meshca.common.config.Durations;
import io.meshca.proto.workload.X509BundlesRequest;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code agent healthcheck}: exits 0 if the Workload API answers. Any answer proves the agent alive,
 * including a refusal: the caller of a healthcheck usually has no identity of its own, and gets
 * PERMISSION_DENIED from a perfectly healthy agent. Only no connection or no answer is unhealthy.
 */
@Command(
        name = "healthcheck",
        mixinStandardHelpOptions = true,
        description = "Checks that the agent's Workload API is up (exit 0) or not (exit 1)")
public final class HealthcheckCommand implements Callable<Integer> {

    static final String HEALTHY = "Agent is healthy.";

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

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try (WorkloadApiClient client = WorkloadApiClient.open(socketPath)) {
            Context.CancellableContext context = Context.current().withCancellation();
            try {
                context.run(() -> client.blockingStub()
                        .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
                        .fetchX509Bundles(X509BundlesRequest.getDefaultInstance())
                        .next());
            } catch (StatusRuntimeException e) {
                Status.Code code = e.getStatus().getCode();
                if (code == Status.Code.UNAVAILABLE || code == Status.Code.DEADLINE_EXCEEDED) {
                    err.println("Agent is unhealthy: " + client.describe(e));
                    return 1;
                }
            } finally {
                context.cancel(null);
            }
        }
        out.println(HEALTHY);
        out.flush();
        return 0;
    }
}
