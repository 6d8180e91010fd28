package io.meshca.server.datastore;

import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Tells a lost database (refused, dropped or terminated connections, the pool's connection timeout)
 * from a failed statement (a constraint, a bug), and says in a few words what happened. A lost database
 * is the caller's {@code UNAVAILABLE}, worth a retry; a failed statement stays an internal error.
 */
final class ConnectionFailures {

    /** SQLState class 08: connection exception (refused, broken, rejected), in every driver. */
    private static final String CONNECTION_CLASS = "08";

    /** PostgreSQL: {@code pg_terminate_backend}, a fast shutdown or restart, a server still starting. */
    private static final String ADMIN_SHUTDOWN = "57P01";

    private static final String CRASH_SHUTDOWN = "57P02";
    private static final String CANNOT_CONNECT_NOW = "57P03";
    private static final Set<String> SERVER_GOING_AWAY = Set.of(ADMIN_SHUTDOWN, CRASH_SHUTDOWN, CANNOT_CONNECT_NOW);

    /** Causes looked at, at most: enough for any driver's wrapping. */
    private static final int MAX_CHAIN = 32;

    private ConnectionFailures() {}

    /** Whether {@code e}, or anything it wraps, says the connection to the database is gone or unobtainable. */
    static boolean isConnectionLoss(SQLException e) {
        for (Throwable t : chain(e)) {
            if (t instanceof SQLTransientConnectionException
                    || t instanceof SQLNonTransientConnectionException
                    || t instanceof IOException) {
                return true;
            }
            if (t instanceof SQLException s && s.getSQLState() != null) {
                String state = s.getSQLState();
                if (state.startsWith(CONNECTION_CLASS) || SERVER_GOING_AWAY.contains(state)) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * A few words for the caller: "connection refused", "connection terminated by an administrator".
     * The most specific cause wins: the pool's timeout usually wraps the refusal that caused it.
     */
    static String reason(SQLException e) {
        Set<Throwable> chain = chain(e);
        for (Throwable t : chain) {
            String specific = specificReason(t);
            if (specific != null) {
                return specific;
            }
        }
        for (Throwable t : chain) {
            if (t instanceof SQLTransientConnectionException) {
                return "no connection within the pool's timeout";
            }
            if (t instanceof SQLException s
                    && s.getSQLState() != null
                    && s.getSQLState().startsWith(CONNECTION_CLASS)) {
                return "connection failure (SQLState " + s.getSQLState() + ")";
            }
        }
        return "connection failure";
    }

    private static String specificReason(Throwable t) {
        if (t instanceof ConnectException) {
            return "connection refused";
        }
        if (t instanceof NoRouteToHostException) {
            return "no route to host";
        }
        if (t instanceof UnknownHostException) {
            return "unknown host";
        }
        if (t instanceof SocketTimeoutException) {
            return "no answer within the socket timeout";
        }
        if (t instanceof EOFException || t instanceof SocketException) {
            return "connection lost";
        }
        if (t instanceof SQLException s && s.getSQLState() != null) {
            return switch (s.getSQLState()) {
                case ADMIN_SHUTDOWN -> "connection terminated by the database (administrator command or shutdown)";
                case CRASH_SHUTDOWN -> "the database is recovering from a crash";
                case CANNOT_CONNECT_NOW -> "the database is starting up or shutting down";
                default -> null;
            };
        }
        return null;
    }

    /**
     * {@code e}, its causes and its chained exceptions (a batch's failure hides the real one there), each
     * once, in that order. Throwables compare by identity, so the set also stops a cause cycle.
     */
    private static Set<Throwable> chain(SQLException e) {
        Set<Throwable> out = new LinkedHashSet<>();
        collect(e, out);
        return out;
    }

    private static void collect(Throwable first, Set<Throwable> out) {
        for (Throwable t = first; t != null && out.size() < MAX_CHAIN && out.add(t); t = t.getCause()) {
            if (t instanceof SQLException s && s.getNextException() != null) {
                collect(s.getNextException(), out);
            }
        }
    }
}
