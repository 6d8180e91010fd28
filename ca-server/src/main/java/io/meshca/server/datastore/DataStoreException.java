package io.meshca.server.datastore;

/** A database failure. Internal: GrpcErrors turns it into "internal error" and logs the cause. */
public final class DataStoreException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public DataStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
