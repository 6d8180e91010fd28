package io.meshca.common.error;

import java.time.Duration;
import java.util.Objects;

/**
 * Maps to {@code RESOURCE_EXHAUSTED} with a {@code google.rpc.RetryInfo} detail: the server is too
 * busy to take the request now, and says when it is worth asking again. Nothing was done; the same
 * request will succeed later. The message is safe to show to the caller.
 */
public class ResourceExhaustedException extends MeshcaException {

    private static final long serialVersionUID = 1L;

    private final Duration retryAfter;

    /** @param retryAfter how long the caller should wait before asking again; positive */
    public ResourceExhaustedException(String message, Duration retryAfter) {
        this(message, retryAfter, null);
    }

    public ResourceExhaustedException(String message, Duration retryAfter, Throwable cause) {
        super(Kind.RESOURCE_EXHAUSTED, message, cause);
        Objects.requireNonNull(retryAfter, "retryAfter");
        if (retryAfter.isNegative() || retryAfter.isZero()) {
            throw new IllegalArgumentException("retryAfter must be positive, got " + retryAfter);
        }
        this.retryAfter = retryAfter;
    }

    /** The server's estimate of when the request would be admitted. */
    public Duration retryAfter() {
        return retryAfter;
    }
}
