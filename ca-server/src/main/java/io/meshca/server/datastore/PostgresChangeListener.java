package io.meshca.server.datastore;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hears other replicas' commits: LISTENs on {@link Jdbc#CHANGES_CHANNEL} on a connection of its own
 * and runs {@code onChange} for each notification. PostgreSQL forgets notifications sent while nobody
 * listens, so after every (re)connection it runs {@code onChange} once too: the feed then catches up
 * by revision on whatever it missed. A connection that dies (restart, failover, {@code
 * pg_terminate_backend}) fails the next wait or probe and is replaced, with back-off.
 */
final class PostgresChangeListener implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PostgresChangeListener.class);

    /** How long one wait for notifications lasts; after each quiet one the connection is probed. */
    private static final Duration WAIT = Duration.ofSeconds(5);

    private static final Duration RETRY_FIRST = Duration.ofMillis(250);
    private static final Duration RETRY_MAX = Duration.ofSeconds(5);

    private final DataSource dataSource;
    private final DataStoreStatus status;
    private final Runnable onChange;
    private final Thread thread;
    private volatile boolean closed;
    private volatile Connection current;

    private PostgresChangeListener(DataSource dataSource, DataStoreStatus status, Runnable onChange) {
        this.dataSource = dataSource;
        this.status = status;
        this.onChange = onChange;
        this.thread = new Thread(this::run, "meshca-change-listener");
        this.thread.setDaemon(true);
    }

    /**
     * {@code status} learns of a lost listening connection: often the first sign of an outage, and
     * then every other call fails fast instead of waiting for a connection of its own.
     */
    static PostgresChangeListener start(DataSource dataSource, DataStoreStatus status, Runnable onChange) {
        PostgresChangeListener listener = new PostgresChangeListener(dataSource, status, onChange);
        listener.thread.start();
        return listener;
    }

    private void run() {
        int failures = 0;
        while (!closed) {
            try (Connection c = dataSource.getConnection()) {
                current = c;
                try (Statement s = c.createStatement()) {
                    s.execute("LISTEN " + Jdbc.CHANGES_CHANNEL);
                }
                if (failures > 0) {
                    log.info("listening for other replicas' changes again after {} failed attempts", failures);
                }
                failures = 0;
                onChange.run();
                listen(c.unwrap(PGConnection.class), c);
            } catch (SQLException | RuntimeException e) {
                if (closed) {
                    return;
                }
                if (e instanceof SQLException lost) {
                    status.failure("listening for changes failed", lost);
                }
                if (failures++ == 0) {
                    log.warn(
                            "lost the connection that listens for other replicas' changes ({}); reconnecting",
                            e.getMessage());
                }
                sleep(Math.min(RETRY_MAX.toMillis(), RETRY_FIRST.toMillis() << Math.min(failures - 1, 5)));
            }
        }
    }

    private void listen(PGConnection pg, Connection c) throws SQLException {
        while (!closed) {
            PGNotification[] notifications = pg.getNotifications((int) WAIT.toMillis());
            if (notifications != null && notifications.length > 0) {
                onChange.run();
            } else if (!c.isValid((int) WAIT.toSeconds())) {
                // A silently dropped connection returns no notifications forever: ask it to answer.
                throw new SQLException("the listening connection does not answer");
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        Connection c = current;
        if (c != null) {
            try {
                c.close(); // ends a wait in progress at once
            } catch (SQLException e) {
                log.debug("closing the listening connection", e);
            }
        }
        try {
            thread.join(Duration.ofSeconds(2).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
