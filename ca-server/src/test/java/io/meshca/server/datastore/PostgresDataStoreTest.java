package io.meshca.server.datastore;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;

/**
 * The contract on PostgreSQL, at MESHCA_TEST_POSTGRES_URL (e.g.
 * jdbc:postgresql://127.0.0.1:5432/test?user=postgres). Skipped, with a message saying so, when unset.
 */
class PostgresDataStoreTest extends DataStoreContractTest {

    private static final String URL = System.getenv("MESHCA_TEST_POSTGRES_URL");
    private static final String SCHEMA = "meshca_datastore_contract";

    @BeforeAll
    static void requirePostgres() {
        Assumptions.assumeTrue(
                URL != null && !URL.isBlank(),
                "MESHCA_TEST_POSTGRES_URL is not set: skipping the DataStore contract on PostgreSQL");
    }

    @Override
    protected DataStore open() {
        // A fresh schema of our own per test, so that nothing else in the database is touched.
        try (Connection c = DriverManager.getConnection(URL);
                Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE");
            s.execute("CREATE SCHEMA " + SCHEMA);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot reset the PostgreSQL test schema: " + e.getMessage(), e);
        }
        return DataStore.open(URL + (URL.contains("?") ? "&" : "?") + "currentSchema=" + SCHEMA, Clock.systemUTC());
    }
}
