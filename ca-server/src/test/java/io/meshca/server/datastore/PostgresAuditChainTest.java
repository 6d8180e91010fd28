package io.meshca.server.datastore;

import io.meshca.server.testing.TestPostgres;
import java.time.Clock;
import org.junit.jupiter.api.BeforeAll;

/** The audit chain contract on PostgreSQL, at MESHCA_TEST_POSTGRES_URL; skipped when unset. */
class PostgresAuditChainTest extends AuditChainContractTest {

    @BeforeAll
    static void requirePostgres() {
        TestPostgres.require("the audit chain contract on PostgreSQL");
    }

    @Override
    protected String emptyDatabase(String name) {
        return TestPostgres.freshSchema("meshca_" + name);
    }

    @Override
    protected DataStore open(String url) {
        return DataStore.open(url, Clock.systemUTC());
    }
}
