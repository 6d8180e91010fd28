package io.meshca.server.datastore;

import io.meshca.common.error.UnavailableException;

/**
 * The database cannot be reached (refused, dropped or terminated connections): the caller may retry
 * once it is back. The message says why and since when, e.g. {@code datastore unavailable: connection
 * refused (db.example.org:5432) since 2026-03-01T12:01:03Z}; the driver's own error stays in the cause.
 * Nothing was changed by the call that fails with it, unless the connection broke during the commit
 * itself, which no client of any database can tell apart.
 */
public final class DataStoreUnavailableException extends UnavailableException {

    private static final long serialVersionUID = 1L;

    /** The start of every message: what a caller, a log search or a test looks for. */
    public static final String PREFIX = "datastore unavailable: ";

    DataStoreUnavailableException(String detail, Throwable cause) {
        super(PREFIX + detail, cause);
    }
}
