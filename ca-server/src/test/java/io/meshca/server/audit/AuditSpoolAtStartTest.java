package io.meshca.server.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshca.server.cli.ServerMain;
import io.meshca.server.datastore.DataStore;
import io.meshca.server.model.AuditRecord;
import io.meshca.server.testing.TestServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server writes a spool that a crashed run left in its data dir before anything else it audits. */
class AuditSpoolAtStartTest {

    @TempDir
    Path dir;

    @Test
    void aSpoolInTheDataDir_isStoredAtStart_first_withItsTimes_andTheChainIntact() throws Exception {
        Path data = Files.createDirectory(
                dir.resolve("data"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        AuditSpool left = AuditSpool.in(data);
        left.append(List.of(
                new TimedAuditEvent(new AuditEvent("admin:local", "admin.CreateEntry", "left-1", ""), 1_000),
                new TimedAuditEvent(new AuditEvent("admin:local", "admin.DeleteEntry", "left-2", ""), 2_000)));
        left.close();

        try (TestServer server = TestServer.start(dir)) {
            server.generateJoinToken(Duration.ofMinutes(1), Optional.empty());
        }

        try (DataStore store = DataStore.sqlite(data, Clock.systemUTC())) {
            List<AuditRecord> rows = store.audit().read(0, 100);
            assertThat(rows).extracting(AuditRecord::subject).startsWith("left-1", "left-2");
            assertThat(rows).extracting(AuditRecord::atMillis).startsWith(1_000L, 2_000L);
            assertThat(rows).extracting(AuditRecord::action).contains("admin.GenerateJoinToken");
        }
        assertThat(data.resolve(AuditSpool.FILE)).doesNotExist();
        StringWriter out = new StringWriter();
        int code = ServerMain.execute(
                new String[] {"audit", "verify", "-dataDir", data.toString()},
                new PrintWriter(out, true),
                new PrintWriter(new StringWriter(), true));
        assertThat(code).isZero();
        assertThat(out.toString()).startsWith("audit log intact: ");
    }
}
