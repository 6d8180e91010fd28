package io.meshca.server.testing;

import io.meshca.server.model.AuditRecord;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * The PostgreSQL of the tests, at {@code MESHCA_TEST_POSTGRES_URL} (e.g.
 * jdbc:postgresql://127.0.0.1:5432/test?user=postgres); each test works in a schema of its own, so that
 * nothing else in the database is touched.
 */
public final class TestPostgres {

    public static final String URL = System.getenv("MESHCA_TEST_POSTGRES_URL");

    private TestPostgres() {}

    /** Skips the calling test class, saying what it skips, when no PostgreSQL is configured. */
    public static void require(String what) {
        Assumptions.assumeTrue(URL != null && !URL.isBlank(), "MESHCA_TEST_POSTGRES_URL is not set: skipping " + what);
    }

    /** Drops and creates {@code schema}; returns the JDBC URL that works in it. */
    public static String freshSchema(String schema) {
        dropSchema(schema);
        execute("CREATE SCHEMA " + schema);
        return URL + (URL.contains("?") ? "&" : "?") + "currentSchema=" + schema;
    }

    public static void dropSchema(String schema) {
        execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    }

    /** Every row of the audit log at {@code url} (a schema's URL), in chain order. */
    public static List<AuditRecord> auditLog(String url) {
        List<AuditRecord> rows = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(url);
                PreparedStatement s = c.prepareStatement(
                        "SELECT seq, at, actor, action, subject, detail, prev_hash, hash FROM audit_log ORDER BY seq");
                ResultSet r = s.executeQuery()) {
            while (r.next()) {
                rows.add(new AuditRecord(
                        r.getLong(1),
                        r.getLong(2),
                        r.getString(3),
                        r.getString(4),
                        r.getString(5),
                        r.getString(6),
                        r.getString(7),
                        r.getString(8)));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the audit log: " + e.getMessage(), e);
        }
        return rows;
    }

    private static void execute(String sql) {
        try (Connection c = DriverManager.getConnection(URL);
                Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot reset the PostgreSQL test schema: " + e.getMessage(), e);
        }
    }
}
