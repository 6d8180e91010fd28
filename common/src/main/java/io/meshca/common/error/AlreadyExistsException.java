package io.meshca.common.error;

/** Maps to {@code ALREADY_EXISTS}; the message is safe to show to the caller. */
public class AlreadyExistsException extends MeshcaException {

    private static final long serialVersionUID = 1L;

    public AlreadyExistsException(String message) {
        super(Kind.ALREADY_EXISTS, message, null);
    }

    public AlreadyExistsException(String message, Throwable cause) {
        super(Kind.ALREADY_EXISTS, message, cause);
    }
}
