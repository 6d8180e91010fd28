package io.meshca.common.error;

/**
 * The one error hierarchy of the domain. Every subclass's message is written for the caller (it names
 * the problem and never contains secrets); causes are for the log only. {@link GrpcErrors} maps a
 * {@code Kind} to a gRPC status in one place.
 */
public abstract class MeshcaException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** The kinds of failure a caller can act on; each maps to exactly one gRPC status code. */
    public enum Kind {
        INVALID_ARGUMENT,
        NOT_FOUND,
        ALREADY_EXISTS,
        PERMISSION_DENIED,
        UNAUTHENTICATED,
        FAILED_PRECONDITION,
        UNAVAILABLE,
        RESOURCE_EXHAUSTED
    }

    private final Kind kind;

    protected MeshcaException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
