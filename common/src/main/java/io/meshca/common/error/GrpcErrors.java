package io.meshca.common.error;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single place where domain errors become gRPC statuses. A {@link MeshcaException} keeps its
 * message; anything else is logged with its cause and reaches the client only as "internal error", so
 * that no internals (SQL, key material, stack traces) leak.
 */
public final class GrpcErrors {

    private static final Logger log = LoggerFactory.getLogger(GrpcErrors.class);

    private GrpcErrors() {}

    public static StatusRuntimeException toStatus(Throwable error) {
        if (error instanceof StatusRuntimeException sre) {
            return sre;
        }
        if (error instanceof MeshcaException me) {
            if (me.getCause() != null) {
                log.debug("{}: {}", me.kind(), me.getMessage(), me.getCause());
            }
            return code(me.kind()).withDescription(me.getMessage()).asRuntimeException();
        }
        log.error("internal error", error);
        return Status.INTERNAL.withDescription("internal error").asRuntimeException();
    }

    private static Status code(MeshcaException.Kind kind) {
        return switch (kind) {
            case INVALID_ARGUMENT -> Status.INVALID_ARGUMENT;
            case NOT_FOUND -> Status.NOT_FOUND;
            case ALREADY_EXISTS -> Status.ALREADY_EXISTS;
            case PERMISSION_DENIED -> Status.PERMISSION_DENIED;
            case UNAUTHENTICATED -> Status.UNAUTHENTICATED;
            case FAILED_PRECONDITION -> Status.FAILED_PRECONDITION;
            case UNAVAILABLE -> Status.UNAVAILABLE;
        };
    }
}
