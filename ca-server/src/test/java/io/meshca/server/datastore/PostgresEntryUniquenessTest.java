package io.meshca.server.datastore;

import io.meshca.server.testing.TestPostgres;
import java.time.Clock;
import org.junit.jupiter.api.BeforeAll;

/** The entry uniqueness contract on PostgreSQL, at MESHCA_TEST_POSTGRES_URL; skipped when unset. */
class PostgresEntryUniquenessTest extends EntryUniquenessContractTest {

    @BeforeAll
    static void requirePostgres() {
        TestPostgres.require("the entry uniqueness contract on PostgreSQL");
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
