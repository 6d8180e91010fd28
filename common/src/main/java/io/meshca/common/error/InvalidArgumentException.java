package io.meshca.common.error;

/** Maps to {@code INVALID_ARGUMENT}; the message is safe to show to the caller. */
public class InvalidArgumentException extends MeshcaException {

    private static final long serialVersionUID = 1L;

    public InvalidArgumentException(String message) {
        super(Kind.INVALID_ARGUMENT, message, null);
    }

    public InvalidArgumentException(String message, Throwable cause) {
        super(Kind.INVALID_ARGUMENT, message, cause);
    }
}
