package io.meshca.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.meshca.common.spiffe.Selector;
import io.meshca.common.spiffe.SelectorSet;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.server.audit.AuditChain;
import io.meshca.server.audit.AuditSpool;
import io.meshca.server.cli.ServerMain;
import io.meshca.server.datastore.DataStoreUnavailableException;
import io.meshca.server.model.AuditRecord;
import io.meshca.server.model.RegistrationEntry;
import io.meshca.server.testing.TcpProxy;
import io.meshca.server.testing.TestPostgres;
import io.meshca.server.testing.TestServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real server on PostgreSQL (MESHCA_TEST_POSTGRES_URL; skipped, saying so, when unset) whose database
 * goes away: its connections terminated by {@code pg_terminate_backend}, or every connection cut and new
 * ones refused by a {@link TcpProxy} in between. The server must come through without a restart, fail
 * admin writes fast and clearly while the database is away, say so in its health, and lose no audit row.
 */
class DatastoreOutagePostgresTest {

    private static final String SCHEMA = "meshca_outage";
    /** Only this test's server carries this name: other tests may share the database. */
    private static final String APPLICATION =
            "meshca-outage-test-" + ProcessHandle.current().pid();

    private static final Duration WAIT = Duration.ofSeconds(30);
    /** Well under the pool's default connection timeout (30 s), which callers used to wait. */
    private static final Duration FAST = Duration.ofSeconds(15);

    @TempDir
    Path dir;

    /** The test's schema, as the test itself reads it. */
    private String schemaUrl;
    /** The same, as the server connects. */
    private String databaseUrl;

    private TcpProxy proxy;
    private TestServer server;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeAll
    static void requirePostgres() {
        TestPostgres.require("the datastore outage tests");
    }

    @BeforeEach
    void freshSchema() {
        schemaUrl = TestPostgres.freshSchema(SCHEMA);
        databaseUrl = schemaUrl + "&ApplicationName=" + APPLICATION;
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        if (proxy != null) {
            proxy.close();
        }
        TestPostgres.dropSchema(SCHEMA);
    }

    @Test
    void terminatedConnections_areReplaced_withoutARestart() throws Exception {
        server =
                TestServer.start(TestServer.config(dir).databaseUrl(databaseUrl).build());
        server.createEntry(entry("before"));

        assertThat(terminateServerConnections())
                .as("server connections terminated")
                .isPositive();

        // A call may still meet a terminated connection (UNAVAILABLE); the server recovers by itself.
        RegistrationEntry after = retryWhileUnavailable(() -> server.createEntry(entry("after")));
        assertThat(after.id()).isNotEmpty();
        awaitTrue("the server healthy", () -> healthcheck() == 0);
        assertThat(serverConnections()).as("connections named " + APPLICATION).isPositive();
    }

    @Test
    void duringAnOutage_adminWritesFailFast_namingTheDatastore_changeNothing_andHealthSaysWhy() throws Exception {
        startBehindProxy();
        server.createEntry(entry("before"));

        proxy.cut();
        Instant cut = Instant.now();
        StatusRuntimeException first = createFails(entry("during"));
        Duration firstTook = Duration.between(cut, Instant.now());
        StatusRuntimeException second = createFails(entry("during"));

        assertThat(first.getStatus().getDescription())
                .startsWith(DataStoreUnavailableException.PREFIX)
                .contains("(127.0.0.1:" + proxy.port() + ") since ");
        assertThat(firstTook).isLessThan(FAST);
        assertThat(second.getStatus().getDescription()).startsWith(DataStoreUnavailableException.PREFIX);
        assertThat(cli(
                        "entry",
                        "create",
                        "-socketPath",
                        server.adminSocketPath().toString(),
                        "-spiffeID",
                        "spiffe://" + server.trustDomain().name() + "/outage/cli",
                        "-parentID",
                        "spiffe://" + server.trustDomain().name() + "/node",
                        "-selector",
                        "unix:uid:1"))
                .isEqualTo(1);
        assertThat(err.toString()).startsWith("UNAVAILABLE: " + DataStoreUnavailableException.PREFIX);
        assertThat(healthcheck()).isEqualTo(1);
        assertThat(err.toString())
                .contains("server is unhealthy: NOT_SERVING (its datastore is unreachable")
                .doesNotContain("CA");

        proxy.resume();
        awaitTrue("the server healthy again", () -> healthcheck() == 0);
        // ALREADY_EXISTS here would mean that a failed call stored its entry after all.
        server.createEntry(entry("during"));
        assertThat(entriesNamed("during")).isEqualTo(1);
    }

    @Test
    void auditRowsOfAnOutage_areStoredInOrder_afterIt_andTheChainIsIntact() throws Exception {
        startBehindProxy();
        server.createEntry(entry("a1"));
        // The admin API audits a call as it completes, after the caller has its answer: a1's row must be
        // stored before the cut, or the rows of the calls that fail next may be queued before it.
        awaitTrue("a1 audited", () -> createEntryRows().size() == 1);

        proxy.cut();
        for (String name : List.of("a2", "a3", "a4")) {
            createFails(entry(name)); // audited all the same, with its status
        }
        Path spool = dir.resolve("data").resolve(AuditSpool.FILE);
        awaitTrue("rows spooled", () -> spool.toFile().exists());
        proxy.resume();
        awaitTrue("the server healthy again", () -> healthcheck() == 0);
        server.createEntry(entry("a5"));

        awaitTrue("every CreateEntry audited", () -> createEntryRows().size() == 5);
        List<AuditRecord> rows = createEntryRows();
        for (int i = 0; i < 5; i++) {
            assertThat(rows.get(i).subject()).contains("/outage/a" + (i + 1));
        }
        assertThat(rows)
                .extracting(r -> r.detail().replaceAll(".* status=", ""))
                .containsExactly("OK", "UNAVAILABLE", "UNAVAILABLE", "UNAVAILABLE", "OK");
        assertThat(auditVerify()).isZero();
        assertThat(out.toString()).startsWith("audit log intact: ");
        awaitTrue("the spool gone", () -> !spool.toFile().exists());
    }

    @Test
    void aSpoolLeftByAServerStoppedDuringAnOutage_isStoredAtTheNextStart() throws Exception {
        startBehindProxy();
        proxy.cut();
        createFails(entry("b1"));
        createFails(entry("b2"));
        Path spool = dir.resolve("data").resolve(AuditSpool.FILE);
        awaitTrue("rows spooled", () -> spool.toFile().exists());
        server.close();
        server = null;
        assertThat(spool).exists();
        assertThat(createEntryRows()).isEmpty();

        proxy.resume();
        server = TestServer.start(
                TestServer.config(dir).databaseUrl(proxy.jdbcUrl(databaseUrl)).build());

        awaitTrue("the spooled rows stored", () -> createEntryRows().size() == 2);
        assertThat(createEntryRows())
                .extracting(AuditRecord::subject)
                .satisfiesExactly(
                        s -> assertThat(s).contains("/outage/b1"),
                        s -> assertThat(s).contains("/outage/b2"));
        assertThat(auditVerify()).isZero();
        awaitTrue("the spool gone", () -> !spool.toFile().exists());
    }

    private void startBehindProxy() throws Exception {
        proxy = TcpProxy.toDatabase(TestPostgres.URL);
        server = TestServer.start(
                TestServer.config(dir).databaseUrl(proxy.jdbcUrl(databaseUrl)).build());
    }

    private RegistrationEntry entry(String name) {
        String td = "spiffe://" + server.trustDomain().name();
        return RegistrationEntry.draft(
                SpiffeId.parse(td + "/outage/" + name),
                SpiffeId.parse(td + "/node"),
                SelectorSet.of(Selector.parse("unix:uid:1")));
    }

    private StatusRuntimeException createFails(RegistrationEntry draft) {
        StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, () -> server.createEntry(draft));
        assertThat(e).as("create during the outage fails").isNotNull();
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        return e;
    }

    private static <T> T retryWhileUnavailable(Callable<T> call) throws Exception {
        Instant deadline = Instant.now().plus(WAIT);
        while (true) {
            try {
                return call.call();
            } catch (StatusRuntimeException e) {
                if (e.getStatus().getCode() != Status.Code.UNAVAILABLE
                        || Instant.now().isAfter(deadline)) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }

    private static void awaitTrue(String what, BooleanSupplier condition) throws InterruptedException {
        Instant deadline = Instant.now().plus(WAIT);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("timed out after " + WAIT.toSeconds() + "s waiting for " + what);
            }
            Thread.sleep(100);
        }
    }

    private int healthcheck() {
        return cli("healthcheck", "-socketPath", server.adminSocketPath().toString());
    }

    private int auditVerify() {
        return cli("audit", "verify", "-databaseUrl", schemaUrl);
    }

    private int cli(String... args) {
        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
        return ServerMain.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
    }

    /** The audit rows of CreateEntry calls, in chain order; the chain must be intact. */
    private List<AuditRecord> createEntryRows() {
        List<AuditRecord> rows = TestPostgres.auditLog(schemaUrl);
        assertThat(AuditChain.verify(null, rows)).isNull();
        return rows.stream().filter(r -> r.action().equals("admin.CreateEntry")).toList();
    }

    private int entriesNamed(String name) throws SQLException {
        try (Connection c = DriverManager.getConnection(TestPostgres.URL);
                PreparedStatement s =
                        c.prepareStatement("SELECT count(*) FROM " + SCHEMA + ".entries WHERE spiffe_id LIKE ?")) {
            s.setString(1, "%/outage/" + name);
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return r.getInt(1);
            }
        }
    }

    private int terminateServerConnections() throws SQLException {
        return countRows("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                + " WHERE application_name = ? AND pid <> pg_backend_pid()");
    }

    private int serverConnections() throws SQLException {
        return countRows("SELECT pid FROM pg_stat_activity WHERE application_name = ?");
    }

    private static int countRows(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(TestPostgres.URL);
                PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, APPLICATION);
            int rows = 0;
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    rows++;
                }
            }
            return rows;
        }
    }
}
