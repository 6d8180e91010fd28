package io.meshca.agent.cli;

import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.MetadataUtils;
import io.meshca.common.grpc.UnixSockets;
import io.meshca.proto.workload.SpiffeWorkloadAPIGrpc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The client side of the agent's CLI commands: finds the Workload API socket, opens a channel, and
 * attaches the {@code workload.spiffe.io: true} header every call needs.
 */
final class WorkloadApiClient implements AutoCloseable {

    static final String DEFAULT_SOCKET = "/tmp/meshca-agent/public/api.sock";
    static final String ENDPOINT_ENV = "SPIFFE_ENDPOINT_SOCKET";

    private static final Metadata.Key<String> SECURITY_HEADER =
            Metadata.Key.of("workload.spiffe.io", Metadata.ASCII_STRING_MARSHALLER);

    private final Path socket;
    private final ManagedChannel channel;

    private WorkloadApiClient(Path socket) {
        this.socket = socket;
        this.channel = UnixSockets.channel(socket);
    }

    /** Connects (lazily, on the first call) to {@code -socketPath}, else SPIFFE_ENDPOINT_SOCKET, else the default. */
    static WorkloadApiClient open(String socketPathOption) {
        return new WorkloadApiClient(resolveSocket(socketPathOption, System.getenv()));
    }

    /** The flag wins; then the SPIFFE standard variable ({@code unix:///path} or a path); then the default. */
    static Path resolveSocket(String socketPathOption, Map<String, String> env) {
        if (socketPathOption != null && !socketPathOption.isBlank()) {
            return UnixSockets.parseAddress(socketPathOption);
        }
        String fromEnv = env.get(ENDPOINT_ENV);
        if (fromEnv != null && !fromEnv.isBlank()) {
            return UnixSockets.parseAddress(fromEnv);
        }
        return Path.of(DEFAULT_SOCKET);
    }

    Path socket() {
        return socket;
    }

    SpiffeWorkloadAPIGrpc.SpiffeWorkloadAPIBlockingStub blockingStub() {
        Metadata headers = new Metadata();
        headers.put(SECURITY_HEADER, "true");
        return SpiffeWorkloadAPIGrpc.newBlockingStub(channel)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    }

    /** The agent's grpc.health.v1 service, which needs no header; calls end within {@code timeout}. */
    HealthGrpc.HealthBlockingStub health(Duration timeout) {
        return HealthGrpc.newBlockingStub(channel).withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * The first message of a server stream (the Workload API sends the full state at once), then the
     * stream is cancelled: it would otherwise stay open for updates.
     */
    <T> T firstMessage(
            Duration timeout, Function<SpiffeWorkloadAPIGrpc.SpiffeWorkloadAPIBlockingStub, Iterator<T>> call) {
        Context.CancellableContext context = Context.current().withCancellation();
        try {
            return context.call(
                    () -> call.apply(blockingStub().withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS))
                            .next());
        } catch (StatusRuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        } finally {
            context.cancel(null);
        }
    }

    /** One line for stderr that says what went wrong, without a stack trace. */
    String describe(StatusRuntimeException error) {
        Status status = error.getStatus();
        String detail = status.getDescription() == null ? "" : ": " + status.getDescription();
        if (status.getCode() == Status.Code.UNAVAILABLE) {
            if (!Files.exists(socket)) {
                return "cannot reach the Workload API at " + socket + ": no such socket (is the agent running?)";
            }
            // grpc's description is a bare "io exception"; the cause says what the kernel said
            String reason = error.getCause() != null && error.getCause().getMessage() != null
                    ? ": " + error.getCause().getMessage()
                    : detail;
            return "cannot reach the Workload API at " + socket + reason;
        }
        if (status.getCode() == Status.Code.DEADLINE_EXCEEDED) {
            return "no answer from the Workload API at " + socket + " before the timeout";
        }
        return "the Workload API refused the call (" + status.getCode() + detail + ")";
    }

    @Override
    public void close() {
        UnixSockets.shutdown(channel);
    }
}
