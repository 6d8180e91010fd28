package io.meshca.samples.bench;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;

/**
 * A private PostgreSQL schema for one bench run: created fresh under a random name, selected for the
 * servers with {@code currentSchema=} in their JDBC URL, and dropped (with everything the servers put in
 * it) at {@link #close}, so that a run neither sees nor leaves anything else in the database.
 */
final class BenchSchema implements AutoCloseable {

    static final String BENCH_URL_ENV = "MESHCA_BENCH_POSTGRES_URL";
    static final String TEST_URL_ENV = "MESHCA_TEST_POSTGRES_URL";
    static final String NO_DATABASE = "bench sync needs PostgreSQL: set " + BENCH_URL_ENV + " (or " + TEST_URL_ENV
            + ") to a JDBC URL, e.g. jdbc:postgresql://127.0.0.1:5432/test?user=postgres";

    private final String baseUrl;
    private final String name;
    private boolean dropped;

    private BenchSchema(String baseUrl, String name) {
        this.baseUrl = baseUrl;
        this.name = name;
    }

    /** The database URL the bench uses: {@value #BENCH_URL_ENV}, else {@value #TEST_URL_ENV}. */
    static Optional<String> configuredUrl(Map<String, String> env) {
        return Optional.ofNullable(env.get(BENCH_URL_ENV))
                .filter(url -> !url.isBlank())
                .or(() -> Optional.ofNullable(env.get(TEST_URL_ENV)).filter(url -> !url.isBlank()));
    }

    /**
     * Creates a schema of a random name in the database at {@code baseUrl}.
     *
     * @throws IllegalStateException with the driver's reason if the database refuses
     */
    static BenchSchema create(String baseUrl) {
        if (!baseUrl.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException(
                    "bench sync measures PostgreSQL: the URL must start with jdbc:postgresql: (got a different scheme)");
        }
        byte[] random = new byte[6];
        new SecureRandom().nextBytes(random);
        BenchSchema schema =
                new BenchSchema(baseUrl, "meshca_bench_sync_" + HexFormat.of().formatHex(random));
        schema.execute("CREATE SCHEMA " + schema.name);
        return schema;
    }

    String name() {
        return name;
    }

    /** The JDBC URL that works in this schema. */
    String url() {
        return baseUrl + (baseUrl.contains("?") ? "&" : "?") + "currentSchema=" + name;
    }

    /** Drops the schema and all it holds; idempotent (also run from the bench's shutdown hook). */
    @Override
    public synchronized void close() {
        if (!dropped) {
            dropped = true;
            execute("DROP SCHEMA IF EXISTS " + name + " CASCADE");
        }
    }

    private void execute(String sql) {
        try (Connection c = DriverManager.getConnection(baseUrl);
                Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            // the driver's message names the host and the problem, never the password
            throw new IllegalStateException("PostgreSQL refused `" + sql + "`: " + e.getMessage(), e);
        }
    }
}
