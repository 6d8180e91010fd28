package io.meshca.server.datastore;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.meshca.common.error.FailedPreconditionException;
import io.meshca.common.files.DataDir;
import io.meshca.common.files.TextFiles;
import io.meshca.server.agents.AgentStore;
import io.meshca.server.attestation.node.JoinTokenStore;
import io.meshca.server.audit.AuditStore;
import io.meshca.server.ca.BundleStore;
import io.meshca.server.federation.FederatedBundleStore;
import io.meshca.server.federation.FederationStore;
import io.meshca.server.registration.ChangeLog;
import io.meshca.server.registration.EntryStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.flywaydb.core.Flyway;

/**
 * The datastore, split by aggregate: entries, agents, join tokens, bundle, change log and audit log,
 * all on one JDBC pool with the schema brought up to date by Flyway migrations. SQLite in the data dir
 * by default; PostgreSQL with a {@code jdbc:postgresql:} URL.
 *
 * <p>A lost database does not need a restart: the pool replaces broken connections, and {@link
 * #status()} fails calls fast while the database is away and finds out when it is back.
 */
public final class DataStore implements AutoCloseable {

    public static final String SQLITE_FILE = "datastore.sqlite3";

    /** The database file and the files SQLite keeps beside it (an older run may have left them 0644). */
    private static final List<String> SQLITE_SUFFIXES = List.of("", "-wal", "-shm", "-journal");

    private static final String POSTGRESQL_PREFIX = "jdbc:postgresql:";

    /** How PostgreSQL's {@code pg_stat_activity} names the server's connections, unless the URL names them. */
    public static final String APPLICATION_NAME = "meshca-server";

    /** How often an unavailable database is probed: a recovery is noticed within about this long. */
    static final Duration PROBE_INTERVAL = Duration.ofSeconds(1);

    private final HikariDataSource dataSource;
    private final ScheduledExecutorService prober;
    private final DataStoreStatus status;
    private final ChangeNotifier notifier = new ChangeNotifier();
    private final EntryStore entries;
    private final AgentStore agents;
    private final JoinTokenStore joinTokens;
    private final BundleStore bundle;
    private final FederatedBundleStore federatedBundles;
    private final FederationStore federation;
    private final JdbcChangeLog changes;
    private final AuditStore audit;

    private final boolean postgres;

    private DataStore(HikariDataSource dataSource, String target, Clock clock) {
        this.dataSource = dataSource;
        this.postgres = dataSource.getJdbcUrl().startsWith("jdbc:postgresql:");
        this.prober = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "meshca-datastore-probe");
            t.setDaemon(true);
            return t;
        });
        this.status = new DataStoreStatus(target, this::selectOne, clock, prober, PROBE_INTERVAL);
        Jdbc jdbc = new Jdbc(dataSource, status, notifier, clock, postgres);
        this.entries = new JdbcEntryStore(jdbc);
        this.agents = new JdbcAgentStore(jdbc);
        this.joinTokens = new JdbcJoinTokenStore(jdbc);
        this.bundle = new JdbcBundleStore(jdbc);
        this.federatedBundles = new JdbcFederatedBundleStore(jdbc);
        this.federation = new JdbcFederationStore(jdbc);
        this.changes = new JdbcChangeLog(jdbc);
        this.audit = new JdbcAuditStore(jdbc);
    }

    /**
     * SQLite in {@code dataDir} (created 0700 if missing), WAL mode with a busy timeout. The database
     * file is created 0600 before SQLite opens it: SQLite gives its -wal, -shm and -journal files the
     * database file's mode, and would otherwise create them all readable by everyone (0644).
     *
     * @throws FailedPreconditionException naming the dir or file that cannot be created
     */
    public static DataStore sqlite(Path dataDir, Clock clock) {
        try {
            if (!Files.isDirectory(dataDir)) {
                // The data dir holds the CA keys and the database: only the server's user may enter it.
                Files.createDirectories(
                        dataDir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
            for (String suffix : SQLITE_SUFFIXES) {
                Path file = dataDir.resolve(SQLITE_FILE + suffix);
                if (suffix.isEmpty() || Files.exists(file)) {
                    DataDir.createOwnerOnly(file);
                }
            }
        } catch (IOException e) {
            throw new FailedPreconditionException(
                    "cannot create the database in data dir " + dataDir + ": " + TextFiles.reason(e), e);
        }
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl("jdbc:sqlite:" + dataDir.resolve(SQLITE_FILE).toAbsolutePath());
        config.addDataSourceProperty("journal_mode", "WAL");
        config.addDataSourceProperty("busy_timeout", "10000");
        config.addDataSourceProperty("foreign_keys", "true");
        config.addDataSourceProperty("synchronous", "NORMAL");
        // Take the write lock at BEGIN: a transaction that reads first and then writes would otherwise
        // fail with SQLITE_BUSY (without waiting) when another connection wrote in between.
        config.addDataSourceProperty("transaction_mode", "IMMEDIATE");
        // SQLite has one writer at a time; a few connections serve concurrent readers under WAL.
        config.setMaximumPoolSize(4);
        return open(config, "SQLite " + dataDir.resolve(SQLITE_FILE), clock);
    }

    /**
     * Any JDBC URL (PostgreSQL for the HA mode; sqlite URLs also work). A PostgreSQL URL gets {@link
     * #networkDefaults} for whatever it does not set itself.
     */
    public static DataStore open(String jdbcUrl, Clock clock) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl);
        config.setMaximumPoolSize(8);
        if (jdbcUrl.startsWith(POSTGRESQL_PREFIX)) {
            networkDefaults(config);
        }
        return open(config, target(jdbcUrl), clock);
    }

    /**
     * Pool and driver settings for a database across the network, chosen so that an outage costs a
     * caller seconds, not the pool's default 30 s, and a dead connection is found by the pool rather
     * than by a caller. The driver properties are defaults: a setting in the URL wins (PostgreSQL's
     * driver reads the URL's parameters over the properties it is given).
     */
    static void networkDefaults(HikariConfig config) {
        // How long a call waits for a connection when none is idle and a new one cannot be made. A healthy
        // database connects in milliseconds; past 3 s the call fails UNAVAILABLE and the datastore is
        // marked unavailable, so the calls after it fail at once.
        config.setConnectionTimeout(3_000);
        // The liveness check of a connection idle for more than 0.5 s, before the pool hands it out: a
        // connection ended by a restart or pg_terminate_backend is replaced instead of failing a call.
        config.setValidationTimeout(1_000);
        // Idle connections are checked every 60 s: one dropped by a firewall or NAT (no FIN, nothing to
        // read) is found and replaced here, not by the next call.
        config.setKeepaliveTime(60_000);
        // Connections are replaced after 10 min, before the idle limits of proxies and load balancers
        // (PgBouncer, cloud NAT: 15 min and more) can cut them under the pool; idle ones beyond the
        // minimum close after 5 min (the pool ignores an idle timeout that is not below the lifetime).
        config.setMaxLifetime(600_000);
        config.setIdleTimeout(300_000);
        // Seconds to open a connection (TCP and the startup handshake): an unreachable host fails fast.
        config.addDataSourceProperty("connectTimeout", "3");
        // Seconds a statement may wait for the database's answer: the one guard against a network that
        // silently drops packets in the middle of a call. meshca's statements take milliseconds.
        config.addDataSourceProperty("socketTimeout", "30");
        // The kernel's keepalive on every connection, for peers that vanish between the pool's checks.
        config.addDataSourceProperty("tcpKeepAlive", "true");
        config.addDataSourceProperty("ApplicationName", APPLICATION_NAME);
    }

    /**
     * Where the database is, for messages: the host list of a network URL ("db.example.org:5432"), never
     * its user, password or other parameters.
     */
    static String target(String jdbcUrl) {
        int slashes = jdbcUrl.indexOf("//");
        if (slashes < 0) {
            int query = jdbcUrl.indexOf('?');
            return query < 0 ? jdbcUrl : jdbcUrl.substring(0, query);
        }
        String rest = jdbcUrl.substring(slashes + 2);
        int end = rest.length();
        for (char c : new char[] {'/', '?'}) {
            int i = rest.indexOf(c);
            if (i >= 0 && i < end) {
                end = i;
            }
        }
        String hosts = rest.substring(0, end);
        return hosts.substring(hosts.indexOf('@') + 1);
    }

    private static DataStore open(HikariConfig config, String target, Clock clock) {
        config.setPoolName("meshca-datastore");
        config.setMinimumIdle(1);
        HikariDataSource ds = new HikariDataSource(config);
        try {
            Flyway.configure()
                    .dataSource(ds)
                    .locations("classpath:db/migration")
                    .javaMigrations(new V5__EntryIdentityKey())
                    .load()
                    .migrate();
        } catch (RuntimeException e) {
            ds.close();
            throw e;
        }
        return new DataStore(ds, target, clock);
    }

    private void selectOne() throws SQLException {
        try (Connection c = dataSource.getConnection();
                Statement s = c.createStatement()) {
            s.execute("SELECT 1");
        }
    }

    public EntryStore entries() {
        return entries;
    }

    public AgentStore agents() {
        return agents;
    }

    public JoinTokenStore joinTokens() {
        return joinTokens;
    }

    public BundleStore bundle() {
        return bundle;
    }

    public FederatedBundleStore federatedBundles() {
        return federatedBundles;
    }

    public FederationStore federation() {
        return federation;
    }

    public ChangeLog changes() {
        return changes;
    }

    /**
     * Deletes the change-log rows older than {@code cutoff} but the newest; returns how many. Every
     * replica may run it: the deletes of several are the same delete.
     */
    public int pruneChanges(Instant cutoff) {
        return changes.pruneBefore(cutoff);
    }

    public AuditStore audit() {
        return audit;
    }

    public ChangeNotifier notifier() {
        return notifier;
    }

    /**
     * Runs {@code onChange} when another server on this database commits a change (PostgreSQL
     * LISTEN/NOTIFY on a connection of its own), and after each (re)connection of that listener; a
     * no-op on SQLite, which has no other server. Close the result to stop listening.
     */
    public AutoCloseable listenForOtherServers(Runnable onChange) {
        if (!postgres) {
            return () -> {};
        }
        return PostgresChangeListener.start(dataSource, status, onChange);
    }

    /** Whether the database answers; calls fail fast while it does not. */
    public DataStoreStatus status() {
        return status;
    }

    @Override
    public void close() {
        status.close();
        prober.shutdownNow();
        dataSource.close();
    }
}
