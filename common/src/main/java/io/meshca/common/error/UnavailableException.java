package io.meshca.common.error;

/** Maps to {@code UNAVAILABLE}; the message is safe to show to the caller. */
public class UnavailableException extends MeshcaException {

    private static final long serialVersionUID = 1L;

    public UnavailableException(String message) {
        super(Kind.UNAVAILABLE, message, null);
    }

    public UnavailableException(String message, Throwable cause) {
        super(Kind.UNAVAILABLE, message, cause);
    }
}
