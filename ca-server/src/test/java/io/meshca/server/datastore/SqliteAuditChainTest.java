package io.meshca.server.datastore;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.io.TempDir;

class SqliteAuditChainTest extends AuditChainContractTest {

    private static final String PREFIX = "jdbc:sqlite:";

    @TempDir
    Path dir;

    @Override
    protected String emptyDatabase(String name) {
        try {
            Path dataDir = Files.createDirectories(dir.resolve(name));
            return PREFIX + dataDir.resolve(DataStore.SQLITE_FILE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    protected DataStore open(String url) {
        return DataStore.sqlite(Path.of(url.substring(PREFIX.length())).getParent(), Clock.systemUTC());
    }
}
