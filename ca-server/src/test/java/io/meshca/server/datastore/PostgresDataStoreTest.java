package io.meshca.server.datastore;

import io.meshca.server.testing.TestPostgres;
import java.time.Clock;
import org.junit.jupiter.api.BeforeAll;

/** The DataStore contract on PostgreSQL, at MESHCA_TEST_POSTGRES_URL; skipped, saying so, when unset. */
class PostgresDataStoreTest extends DataStoreContractTest {

    @BeforeAll
    static void requirePostgres() {
        TestPostgres.require("the DataStore contract on PostgreSQL");
    }

    @Override
    protected DataStore open() {
        return DataStore.open(TestPostgres.freshSchema("meshca_datastore_contract"), Clock.systemUTC());
    }
}
