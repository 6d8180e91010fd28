package io.meshca.common.error;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.RetryInfo;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single place where domain errors become gRPC statuses. A {@link MeshcaException} keeps its
 * message; anything else is logged with its cause and reaches the client only as "internal error", so
 * that no internals (SQL, key material, stack traces) leak. Service handlers just throw: the
 * ErrorMappingInterceptor (io.meshca.common.grpc) ends their call with this mapping.
 */
public final class GrpcErrors {

    /** All a caller learns about a failure that is not a {@link MeshcaException}. */
    public static final String INTERNAL_ERROR = "internal error";

    /**
     * The trailer naming a domain error's kind. A client tells by it that the server itself answered: an
     * UNAVAILABLE with it is the server's (its datastore is away), one without it is the transport's.
     */
    public static final Metadata.Key<String> KIND =
            Metadata.Key.of("meshca-error-kind", Metadata.ASCII_STRING_MARSHALLER);

    private static final Logger log = LoggerFactory.getLogger(GrpcErrors.class);

    private GrpcErrors() {}

    public static StatusRuntimeException toStatus(Throwable error) {
        if (error instanceof StatusRuntimeException sre) {
            return sre;
        }
        if (error instanceof ResourceExhaustedException busy) {
            return withRetryInfo(busy);
        }
        if (error instanceof MeshcaException me) {
            if (me.getCause() != null) {
                log.debug("{}: {}", me.kind(), me.getMessage(), me.getCause());
            }
            Metadata trailers = new Metadata();
            trailers.put(KIND, me.kind().name());
            return Status.fromCode(code(me.kind()))
                    .withDescription(me.getMessage())
                    .asRuntimeException(trailers);
        }
        log.error(INTERNAL_ERROR, error);
        return Status.INTERNAL.withDescription(INTERNAL_ERROR).asRuntimeException();
    }

    /** Whether the server sent {@code e} as a domain error (see {@link #KIND}), rather than the transport. */
    public static boolean fromServer(StatusRuntimeException e) {
        Metadata trailers = e.getTrailers();
        return trailers != null && trailers.containsKey(KIND);
    }

    /** The status code of a kind of domain error (for per-item results of a batch, which is not one call). */
    public static Status.Code code(MeshcaException.Kind kind) {
        return switch (kind) {
            case INVALID_ARGUMENT -> Status.Code.INVALID_ARGUMENT;
            case NOT_FOUND -> Status.Code.NOT_FOUND;
            case ALREADY_EXISTS -> Status.Code.ALREADY_EXISTS;
            case PERMISSION_DENIED -> Status.Code.PERMISSION_DENIED;
            case UNAUTHENTICATED -> Status.Code.UNAUTHENTICATED;
            case FAILED_PRECONDITION -> Status.Code.FAILED_PRECONDITION;
            case UNAVAILABLE -> Status.Code.UNAVAILABLE;
            case RESOURCE_EXHAUSTED -> Status.Code.RESOURCE_EXHAUSTED;
        };
    }

    /**
     * The wait a server asked for in a failed call's {@code google.rpc.RetryInfo} detail (what {@link
     * #toStatus} puts on a {@link ResourceExhaustedException}); empty if the call carries none, or a
     * zero or negative one.
     */
    public static Optional<Duration> retryDelay(Throwable error) {
        com.google.rpc.Status status = StatusProto.fromThrowable(error);
        if (status == null) {
            return Optional.empty();
        }
        for (Any detail : status.getDetailsList()) {
            if (detail.is(RetryInfo.class)) {
                try {
                    var delay = detail.unpack(RetryInfo.class).getRetryDelay();
                    Duration wait = Duration.ofSeconds(delay.getSeconds(), delay.getNanos());
                    return wait.isNegative() || wait.isZero() ? Optional.empty() : Optional.of(wait);
                } catch (InvalidProtocolBufferException e) {
                    return Optional.empty();
                }
            }
        }
        return Optional.empty();
    }

    /** RESOURCE_EXHAUSTED with the message and, machine-readable, the wait (gRPC's standard error model). */
    private static StatusRuntimeException withRetryInfo(ResourceExhaustedException busy) {
        Duration wait = busy.retryAfter();
        RetryInfo retry = RetryInfo.newBuilder()
                .setRetryDelay(com.google.protobuf.Duration.newBuilder()
                        .setSeconds(wait.getSeconds())
                        .setNanos(wait.getNano()))
                .build();
        Metadata trailers = new Metadata();
        trailers.put(KIND, busy.kind().name());
        return StatusProto.toStatusRuntimeException(
                com.google.rpc.Status.newBuilder()
                        .setCode(Status.Code.RESOURCE_EXHAUSTED.value())
                        .setMessage(busy.getMessage())
                        .addDetails(Any.pack(retry))
                        .build(),
                trailers);
    }
}
