package io.meshca.server.datastore;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;

/** The audit chain contract on PostgreSQL, at MESHCA_TEST_POSTGRES_URL; skipped when unset. */
class PostgresAuditChainTest extends AuditChainContractTest {

    private static final String URL = System.getenv("MESHCA_TEST_POSTGRES_URL");

    @BeforeAll
    static void requirePostgres() {
        Assumptions.assumeTrue(
                URL != null && !URL.isBlank(),
                "MESHCA_TEST_POSTGRES_URL is not set: skipping the audit chain contract on PostgreSQL");
    }

    @Override
    protected String emptyDatabase(String name) {
        // A fresh schema of our own per test, so that nothing else in the database is touched.
        String schema = "meshca_" + name;
        try (Connection c = DriverManager.getConnection(URL);
                Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            s.execute("CREATE SCHEMA " + schema);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot reset the PostgreSQL test schema: " + e.getMessage(), e);
        }
        return URL + (URL.contains("?") ? "&" : "?") + "currentSchema=" + schema;
    }

    @Override
    protected DataStore open(String url) {
        return DataStore.open(url, Clock.systemUTC());
    }
}
