package io.meshca.server.datastore;

/**
 * A database failure other than a lost connection (that is {@link DataStoreUnavailableException}): a
 * constraint, a bug. Internal: GrpcErrors turns it into "internal error" and logs the cause.
 */
public final class DataStoreException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public DataStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
