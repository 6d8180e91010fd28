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
import java.time.Clock;
import java.util.List;
import org.flywaydb.core.Flyway;

/**
 * The datastore, split by aggregate: entries, agents, join tokens, bundle, change log and audit log,
 * all on one JDBC pool with the schema brought up to date by Flyway migrations. SQLite in the data dir
 * by default; PostgreSQL with a {@code jdbc:postgresql:} URL.
 */
public final class DataStore implements AutoCloseable {

    public static final String SQLITE_FILE = "datastore.sqlite3";

    /** The database file and the files SQLite keeps beside it (an older run may have left them 0644). */
    private static final List<String> SQLITE_SUFFIXES = List.of("", "-wal", "-shm", "-journal");

    private final HikariDataSource dataSource;
    private final ChangeNotifier notifier = new ChangeNotifier();
    private final EntryStore entries;
    private final AgentStore agents;
    private final JoinTokenStore joinTokens;
    private final BundleStore bundle;
    private final FederatedBundleStore federatedBundles;
    private final FederationStore federation;
    private final ChangeLog changes;
    private final AuditStore audit;

    private final boolean postgres;

    private DataStore(HikariDataSource dataSource, Clock clock) {
        this.dataSource = dataSource;
        this.postgres = dataSource.getJdbcUrl().startsWith("jdbc:postgresql:");
        Jdbc jdbc = new Jdbc(dataSource, notifier, clock, postgres);
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
        return open(config, clock);
    }

    /** Any JDBC URL (PostgreSQL for the HA mode; sqlite URLs also work). */
    public static DataStore open(String jdbcUrl, Clock clock) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl);
        config.setMaximumPoolSize(8);
        return open(config, clock);
    }

    private static DataStore open(HikariConfig config, Clock clock) {
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
        return new DataStore(ds, clock);
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
        return PostgresChangeListener.start(dataSource, onChange);
    }

    @Override
    public void close() {
        dataSource.close();
    }
}
