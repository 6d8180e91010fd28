package io.meshca.server.datastore;

import io.meshca.server.model.Change;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import javax.sql.DataSource;

/**
 * Transactions and the revision counter shared by the JDBC stores. A revision is taken by updating a
 * counter row inside the writing transaction: the row lock serializes writers (PostgreSQL) the way
 * SQLite's write lock does, so revisions commit in order and a reader of "changes since N" never
 * skips a revision that commits later.
 */
final class Jdbc {

    @FunctionalInterface
    interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    /** The PostgreSQL channel every change is announced on, at commit, to the other replicas. */
    static final String CHANGES_CHANNEL = "meshca_changes";

    private final DataSource dataSource;
    private final DataStoreStatus status;
    private final ChangeNotifier notifier;
    private final Clock clock;
    private final boolean postgres;

    Jdbc(DataSource dataSource, DataStoreStatus status, ChangeNotifier notifier, Clock clock, boolean postgres) {
        this.dataSource = dataSource;
        this.status = status;
        this.notifier = notifier;
        this.clock = clock;
        this.postgres = postgres;
    }

    Clock clock() {
        return clock;
    }

    /**
     * Runs the work on a connection of its own, outside a transaction.
     *
     * @throws DataStoreUnavailableException at once while the database is known to be away, or if the
     *     connection is lost
     * @throws DataStoreException if the work fails otherwise
     */
    <T> T read(Work<T> work) {
        status.checkAvailable();
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(true);
            return work.run(c);
        } catch (SQLException e) {
            throw status.failure("database read failed", e);
        }
    }

    /**
     * Runs the work in one transaction; notifies watchers afterwards if the work took a revision.
     *
     * @throws DataStoreUnavailableException at once while the database is known to be away, or if the
     *     connection is lost; the transaction is then rolled back (by the database, if it is gone)
     * @throws DataStoreException if the work fails otherwise; nothing is stored
     */
    <T> T write(Work<T> work) {
        status.checkAvailable();
        long[] lastRevision = {0};
        T result;
        // The pool puts auto-commit back when the connection returns to it: setting it here after the
        // commit could fail on a connection lost just after the commit, and report a stored write as lost.
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            RevisionTaker.begin(lastRevision);
            try {
                result = work.run(c);
                if (postgres && lastRevision[0] > 0) {
                    announce(c, lastRevision[0]);
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                rollback(c, e);
                throw e;
            } finally {
                RevisionTaker.end();
            }
        } catch (SQLException e) {
            throw status.failure("database write failed", e);
        }
        if (lastRevision[0] > 0) {
            notifier.changed(lastRevision[0]);
        }
        return result;
    }

    /**
     * NOTIFY is transactional: the other replicas hear of the change when it commits, never before and
     * never for a rollback. They read the change log after their last revision, so the payload is only
     * for someone watching with psql.
     */
    private static void announce(Connection c, long revision) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT pg_notify(?, ?)")) {
            s.setString(1, CHANGES_CHANNEL);
            s.setString(2, Long.toString(revision));
            s.execute();
        }
    }

    /**
     * Rolls back after {@code failure}. On a lost connection the rollback fails too; the database rolls
     * back itself, and the caller must learn of the first failure, not of the rollback's.
     */
    private static void rollback(Connection c, Exception failure) {
        try {
            c.rollback();
        } catch (SQLException e) {
            failure.addSuppressed(e);
        }
    }

    /** Takes the next revision and records the change, inside the current write transaction. */
    long recordChange(Connection c, Change.Kind kind, String objectId, String parentId, Change.Op op)
            throws SQLException {
        long revision = nextCounter(c, "revision");
        try (PreparedStatement s = c.prepareStatement(
                "INSERT INTO changes (revision, kind, object_id, parent_id, op, created_at) VALUES (?, ?, ?, ?, ?, ?)")) {
            s.setLong(1, revision);
            s.setString(2, kind.name());
            s.setString(3, objectId);
            s.setString(4, parentId);
            s.setString(5, op.name());
            s.setLong(6, clock.millis());
            s.executeUpdate();
        }
        RevisionTaker.took(revision);
        return revision;
    }

    static long nextCounter(Connection c, String name) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("UPDATE counters SET value = value + 1 WHERE name = ?")) {
            s.setString(1, name);
            if (s.executeUpdate() != 1) {
                throw new SQLException("counter " + name + " is missing");
            }
        }
        try (PreparedStatement s = c.prepareStatement("SELECT value FROM counters WHERE name = ?")) {
            s.setString(1, name);
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        }
    }

    /** Remembers, per writing thread, the highest revision the transaction took. */
    private static final class RevisionTaker {
        private static final ThreadLocal<long[]> CURRENT = new ThreadLocal<>();

        static void begin(long[] holder) {
            CURRENT.set(holder);
        }

        static void took(long revision) {
            long[] holder = CURRENT.get();
            if (holder != null) {
                holder[0] = Math.max(holder[0], revision);
            }
        }

        static void end() {
            CURRENT.remove();
        }
    }
}
