package io.meshca.common.error;

/** Maps to {@code PERMISSION_DENIED}; the message is safe to show to the caller. */
public class PermissionDeniedException extends MeshcaException {

    private static final long serialVersionUID = 1L;

    public PermissionDeniedException(String message) {
        super(Kind.PERMISSION_DENIED, message, null);
    }

    public PermissionDeniedException(String message, Throwable cause) {
        super(Kind.PERMISSION_DENIED, message, cause);
    }
}
