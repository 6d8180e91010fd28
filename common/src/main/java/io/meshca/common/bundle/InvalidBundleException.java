package io.meshca.common.bundle;

import io.meshca.common.error.InvalidArgumentException;

/** A bundle document that is refused; the message names the problem and is safe to show. */
public final class InvalidBundleException extends InvalidArgumentException {

    private static final long serialVersionUID = 1L;

    public InvalidBundleException(String message) {
        super(message);
    }

    public InvalidBundleException(String message, Throwable cause) {
        super(message, cause);
    }
}
