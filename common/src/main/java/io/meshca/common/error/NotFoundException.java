package io.meshca.common.error;

/** Maps to {@code NOT_FOUND}; the message is safe to show to the caller. */
public class NotFoundException extends MeshcaException {

    private static final long serialVersionUID = 1L;

    public NotFoundException(String message) {
        super(Kind.NOT_FOUND, message, null);
    }

    public NotFoundException(String message, Throwable cause) {
        super(Kind.NOT_FOUND, message, cause);
    }
}
