package io.meshca.agent.client;

import io.grpc.Status;
import io.meshca.common.error.FailedPreconditionException;
import io.meshca.common.error.InvalidArgumentException;
import io.meshca.common.error.MeshcaException;
import io.meshca.common.error.NotFoundException;
import io.meshca.common.error.PermissionDeniedException;
import io.meshca.common.error.UnauthenticatedException;
import io.meshca.common.error.UnavailableException;

/** Turns a failed call to ca-server into the domain error the agent's callers handle, keeping the server's words. */
final class ServerErrors {

    private ServerErrors() {}

    static MeshcaException fromStatus(String what, Throwable error) {
        Status status = Status.fromThrowable(error);
        String detail = status.getDescription() != null
                ? status.getDescription()
                : status.getCode().toString();
        String message = what + ": " + detail;
        return switch (status.getCode()) {
            case INVALID_ARGUMENT, OUT_OF_RANGE -> new InvalidArgumentException(message, error);
            case NOT_FOUND -> new NotFoundException(message, error);
            case PERMISSION_DENIED -> new PermissionDeniedException(message, error);
            case UNAUTHENTICATED -> new UnauthenticatedException(message, error);
            case FAILED_PRECONDITION, ALREADY_EXISTS -> new FailedPreconditionException(message, error);
            default ->
                new UnavailableException(
                        what + ": ca-server unavailable: " + detail
                                + (status.getCause() != null
                                        ? " (" + status.getCause().getMessage() + ")"
                                        : ""),
                        error);
        };
    }
}
