package io.meshca.server.datastore;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshca.common.spiffe.Selector;
import io.meshca.common.spiffe.SelectorSet;
import io.meshca.server.model.RegistrationEntry;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteDataStoreTest extends DataStoreContractTest {

    @TempDir
    Path dir;

    @Override
    protected DataStore open() {
        return DataStore.sqlite(dir, Clock.systemUTC());
    }

    @Test
    void reopening_keepsData_andDoesNotRerunMigrations() {
        var e = store.entries()
                .create(RegistrationEntry.draft(WEB, AGENT, SelectorSet.of(Selector.parse("unix:uid:1"))));
        store.close();
        store = DataStore.sqlite(dir, Clock.systemUTC());

        assertThat(store.entries().get(e.id())).isPresent();
    }
}
