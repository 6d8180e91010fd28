package io.meshca.server.audit;

import io.meshca.common.error.UnavailableException;

/**
 * A synchronous audit log could not commit a row, so whatever the row records must not be handed out.
 * Maps to {@code UNAVAILABLE}: the store may recover, and the caller may retry. The message is safe for
 * the caller; the store's own error (SQL, file paths) stays in the cause, for the log only.
 */
public final class AuditWriteException extends UnavailableException {

    private static final long serialVersionUID = 1L;

    public AuditWriteException(String reason, Throwable cause) {
        super("audit row not written: " + reason, cause);
    }
}
