package io.meshca.agent.client;

import io.grpc.Status;
import io.meshca.common.error.FailedPreconditionException;
import io.meshca.common.error.GrpcErrors;
import io.meshca.common.error.InvalidArgumentException;
import io.meshca.common.error.MeshcaException;
import io.meshca.common.error.NotFoundException;
import io.meshca.common.error.PermissionDeniedException;
import io.meshca.common.error.ResourceExhaustedException;
import io.meshca.common.error.UnauthenticatedException;
import io.meshca.common.error.UnavailableException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * Turns a failed call to ca-server into the domain error the agent's callers handle, keeping the
 * server's words. An unreachable server becomes one line naming the server and the cause in a few
 * words ({@code ca-server 127.0.0.1:8081 unavailable (connection refused)}), never a dump of the
 * transport's exception chain; the chain stays the exception's cause for a DEBUG stack trace. A server
 * too busy to take the call, which says when to come back (RESOURCE_EXHAUSTED with a RetryInfo),
 * becomes a {@link ResourceExhaustedException} with that delay: busy, not failing.
 */
final class ServerErrors {

    private ServerErrors() {}

    /**
     * @param what the failed operation, the start of the message ({@code agent SVID renewal failed})
     * @param server the server's address as the channel names it ({@code host:port})
     */
    static MeshcaException fromStatus(String what, String server, Throwable error) {
        Status status = Status.fromThrowable(error);
        String detail = status.getDescription() != null
                ? status.getDescription()
                : status.getCode().toString();
        String message = what + ": " + detail;
        Optional<Duration> retryAfter =
                status.getCode() == Status.Code.RESOURCE_EXHAUSTED ? GrpcErrors.retryDelay(error) : Optional.empty();
        if (retryAfter.isPresent()) {
            return new ResourceExhaustedException(
                    what + ": ca-server " + server + " busy (" + detail + ")", retryAfter.get(), error);
        }
        return switch (status.getCode()) {
            case INVALID_ARGUMENT, OUT_OF_RANGE -> new InvalidArgumentException(message, error);
            case NOT_FOUND -> new NotFoundException(message, error);
            case PERMISSION_DENIED -> new PermissionDeniedException(message, error);
            case UNAUTHENTICATED -> new UnauthenticatedException(message, error);
            case FAILED_PRECONDITION, ALREADY_EXISTS -> new FailedPreconditionException(message, error);
            default ->
                new UnavailableException(
                        what + ": ca-server " + server + " unavailable (" + unavailableCause(status) + ")", error);
        };
    }

    /** Why the server could not be reached or did not answer, in a few words. */
    static String unavailableCause(Status status) {
        Throwable error = status.getCause();
        if (TlsFailures.certificatePathRejected(error)) {
            return "its certificate does not chain to the trust bundle";
        }
        if (TlsFailures.certificateRejected(error)) {
            return "its certificate was refused: " + TlsFailures.reason(error);
        }
        if (TlsFailures.handshakeFailed(error)) {
            return "TLS handshake failed: " + TlsFailures.reason(error);
        }
        ConnectException connect = TlsFailures.find(error, ConnectException.class);
        if (connect != null) {
            String text = String.valueOf(connect.getMessage());
            return text.toLowerCase(Locale.ROOT).contains("refused") ? "connection refused" : "cannot connect";
        }
        if (TlsFailures.find(error, UnknownHostException.class) != null) {
            return "unknown host";
        }
        if (TlsFailures.find(error, ClosedChannelException.class) != null) {
            return "connection closed";
        }
        if (status.getCode() == Status.Code.DEADLINE_EXCEEDED) {
            return "no answer before the call's deadline";
        }
        return status.getDescription() == null
                ? status.getCode().toString().toLowerCase(Locale.ROOT).replace('_', ' ')
                : firstLine(status.getDescription());
    }

    private static String firstLine(String text) {
        int newline = text.indexOf('\n');
        return newline < 0 ? text : text.substring(0, newline);
    }
}
