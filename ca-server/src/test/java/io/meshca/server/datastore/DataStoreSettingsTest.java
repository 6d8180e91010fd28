package io.meshca.server.datastore;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The pool and driver settings for PostgreSQL, and what messages say about where the database is. */
class DataStoreSettingsTest {

    @Test
    void networkDefaults_failWithinSeconds_andNameTheConnections() {
        HikariConfig config = new HikariConfig();

        DataStore.networkDefaults(config);

        assertThat(config.getConnectionTimeout()).isEqualTo(3_000);
        assertThat(config.getValidationTimeout()).isLessThan(config.getConnectionTimeout());
        assertThat(config.getKeepaliveTime()).isBetween(30_000L, config.getMaxLifetime() - 1);
        // the pool silently disables an idle timeout that is not at least a second below the lifetime
        assertThat(config.getIdleTimeout()).isLessThan(config.getMaxLifetime() - 1_000);
        assertThat(config.getDataSourceProperties())
                .containsEntry("connectTimeout", "3")
                .containsEntry("socketTimeout", "30")
                .containsEntry("tcpKeepAlive", "true")
                .containsEntry("ApplicationName", DataStore.APPLICATION_NAME);
    }

    @ParameterizedTest
    @CsvSource({
        "jdbc:postgresql://127.0.0.1:5432/test?user=postgres, 127.0.0.1:5432",
        "'jdbc:postgresql://db1:5432,db2:5433/meshca?targetServerType=primary', 'db1:5432,db2:5433'",
        "jdbc:postgresql://db.example.org?password=secret, db.example.org",
        "jdbc:postgresql://meshca:secret@db.example.org:5432/meshca, db.example.org:5432",
        "jdbc:sqlite:/var/lib/meshca/datastore.sqlite3?journal_mode=WAL, jdbc:sqlite:/var/lib/meshca/datastore.sqlite3",
    })
    void target_namesTheHosts_neverCredentials(String url, String target) {
        assertThat(DataStore.target(url)).isEqualTo(target);
    }
}
