package io.meshca.server.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshca.server.datastore.AuditRecord;
import io.meshca.server.datastore.DataStore;
import io.meshca.server.testing.FakeClock;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GroupCommitAuditLogTest {

    @TempDir
    Path dir;

    private final FakeClock clock = new FakeClock(Instant.parse("2026-03-01T12:00:00Z"));

    @Test
    void rowsAreHashChained_acrossRestarts_andVerify() {
        try (DataStore store = DataStore.sqlite(dir, clock)) {
            try (GroupCommitAuditLog log = new GroupCommitAuditLog(store.audit(), clock)) {
                log.record(new AuditEvent("admin:local", "entry.create", "spiffe://example.org/web", "id=1"));
                log.record(new AuditEvent("agent", "x509svid.issue", "spiffe://example.org/web", "serial=ab"));
            }
            try (GroupCommitAuditLog log = new GroupCommitAuditLog(store.audit(), clock)) {
                log.record(new AuditEvent("admin:local", "agent.ban", "spiffe://example.org/a", ""));
                log.flush();
            }
            List<AuditRecord> rows = store.audit().read(0, 100);

            assertThat(rows).extracting(AuditRecord::seq).containsExactly(1L, 2L, 3L);
            assertThat(rows.get(0).prevHash()).isEqualTo(AuditChain.GENESIS);
            assertThat(rows.get(1).prevHash()).isEqualTo(rows.get(0).hash());
            assertThat(rows.get(2).prevHash()).isEqualTo(rows.get(1).hash());
            assertThat(AuditChain.verify(null, rows)).isNull();
        }
    }

    @Test
    void alteredOrMissingRows_areDetected() {
        AuditRecord r1 = AuditChain.next(null, 1, new AuditEvent("a", "x", "s", "d"));
        AuditRecord r2 = AuditChain.next(r1, 2, new AuditEvent("a", "y", "s", "d"));
        AuditRecord r3 = AuditChain.next(r2, 3, new AuditEvent("a", "z", "s", "d"));
        AuditRecord altered = new AuditRecord(r2.seq(), r2.atMillis(), r2.actor(), "tampered", r2.subject(), r2.detail(),
                r2.prevHash(), r2.hash());

        assertThat(AuditChain.verify(null, List.of(r1, altered, r3))).contains("row 2").contains("altered");
        assertThat(AuditChain.verify(null, List.of(r1, r3))).contains("row 3").contains("missing");
        assertThat(AuditChain.verify(null, new ArrayList<>(List.of(r1, r2, r3)))).isNull();
    }
}
