package io.meshca.common.error;

/** Maps to {@code FAILED_PRECONDITION}; the message is safe to show to the caller. */
public class FailedPreconditionException extends MeshcaException {

    private static final long serialVersionUID = 1L;

    public FailedPreconditionException(String message) {
        super(Kind.FAILED_PRECONDITION, message, null);
    }

    public FailedPreconditionException(String message, Throwable cause) {
        super(Kind.FAILED_PRECONDITION, message, cause);
    }
}
