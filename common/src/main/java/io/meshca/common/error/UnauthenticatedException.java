package io.meshca.common.error;

/** Maps to {@code UNAUTHENTICATED}; the message is safe to show to the caller. */
public class UnauthenticatedException extends MeshcaException {

    private static final long serialVersionUID = 1L;

    public UnauthenticatedException(String message) {
        super(Kind.UNAUTHENTICATED, message, null);
    }

    public UnauthenticatedException(String message, Throwable cause) {
        super(Kind.UNAUTHENTICATED, message, cause);
    }
}
