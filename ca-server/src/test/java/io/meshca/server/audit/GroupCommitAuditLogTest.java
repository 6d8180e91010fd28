package io.meshca.server.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshca.common.testing.FakeClock;
import io.meshca.server.audit.GroupCommitAuditLog.Mode;
import io.meshca.server.datastore.DataStore;
import io.meshca.server.model.AuditRecord;
import io.meshca.server.testing.FaultyAuditStore;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
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
        AuditRecord altered = new AuditRecord(
                r2.seq(), r2.atMillis(), r2.actor(), "tampered", r2.subject(), r2.detail(), r2.prevHash(), r2.hash());

        assertThat(AuditChain.verify(null, List.of(r1, altered, r3)))
                .contains("row 2")
                .contains("altered");
        assertThat(AuditChain.verify(null, List.of(r1, r3))).contains("row 3").contains("missing");
        assertThat(AuditChain.verify(null, new ArrayList<>(List.of(r1, r2, r3))))
                .isNull();
    }

    @Test
    void sync_recordedRowIsInTheStore_asSoonAsRecordReturns() {
        try (DataStore store = DataStore.sqlite(dir, clock);
                GroupCommitAuditLog log = new GroupCommitAuditLog(store.audit(), clock, Mode.SYNC)) {
            log.record(new AuditEvent("agent", "x509svid.issue", "spiffe://example.org/web", "serial=ab"));

            // No flush(): returning from record() is the promise.
            List<AuditRecord> rows = store.audit().read(0, 10);
            assertThat(rows).hasSize(1);
            assertThat(rows.get(0).detail()).isEqualTo("serial=ab");
        }
    }

    @Test
    void sync_storeFailure_makesRecordThrow_andTheChainResumesFromTheLastStoredRow() {
        try (DataStore store = DataStore.sqlite(dir, clock)) {
            FaultyAuditStore faulty = new FaultyAuditStore(store.audit());
            try (GroupCommitAuditLog log = new GroupCommitAuditLog(faulty, clock, Mode.SYNC)) {
                log.record(new AuditEvent("agent", "x509svid.issue", "spiffe://example.org/a", "serial=1"));
                faulty.failing(true);

                assertThatThrownBy(() -> log.record(
                                new AuditEvent("agent", "x509svid.issue", "spiffe://example.org/b", "serial=2")))
                        .isInstanceOf(AuditWriteException.class)
                        .hasMessage("audit row not written: the audit store failed")
                        .hasRootCauseMessage(FaultyAuditStore.FAULT);

                faulty.failing(false);
                log.record(new AuditEvent("agent", "x509svid.issue", "spiffe://example.org/c", "serial=3"));
            }
            List<AuditRecord> rows = store.audit().read(0, 10);
            assertThat(rows).extracting(AuditRecord::detail).containsExactly("serial=1", "serial=3");
            assertThat(AuditChain.verify(null, rows)).isNull();
        }
    }

    @Test
    void sync_manyConcurrentRecorders_allGetTheirRows_chainedAndGroupCommitted() throws Exception {
        int threads = 16;
        int perThread = 40;
        try (DataStore store = DataStore.sqlite(dir, clock)) {
            FaultyAuditStore counting = new FaultyAuditStore(store.audit());
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try (GroupCommitAuditLog log = new GroupCommitAuditLog(counting, clock, Mode.SYNC)) {
                CountDownLatch start = new CountDownLatch(1);
                List<Future<?>> recorders = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    int thread = t;
                    recorders.add(pool.submit(() -> {
                        start.await();
                        for (int i = 0; i < perThread; i++) {
                            String detail = "t=" + thread + " i=" + i;
                            log.record(new AuditEvent("agent", "x509svid.issue", "spiffe://example.org/w", detail));
                            // Each recorder sees its own row stored the moment record() returns.
                            assertThat(store.audit().read(0, threads * perThread))
                                    .extracting(AuditRecord::detail)
                                    .contains(detail);
                        }
                        return null;
                    }));
                }
                start.countDown();
                for (Future<?> f : recorders) {
                    f.get(60, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }

            List<AuditRecord> rows = store.audit().read(0, threads * perThread + 1);
            assertThat(rows).hasSize(threads * perThread);
            Set<String> details = new HashSet<>();
            rows.forEach(r -> details.add(r.detail()));
            assertThat(details).hasSize(threads * perThread);
            assertThat(AuditChain.verify(null, rows)).isNull();
            // Recorders waiting at the same time share a transaction: fewer commits than rows.
            assertThat(counting.appends()).isLessThan(threads * perThread);
        }
    }

    @Test
    void async_storeFailure_isNotTheRecordersProblem() {
        try (DataStore store = DataStore.sqlite(dir, clock)) {
            FaultyAuditStore faulty = new FaultyAuditStore(store.audit());
            faulty.failing(true);
            try (GroupCommitAuditLog log = new GroupCommitAuditLog(faulty, clock)) {
                assertThat(log.mode()).isEqualTo(Mode.ASYNC);
                assertThatCode(() -> {
                            log.record(new AuditEvent("agent", "x509svid.issue", "spiffe://example.org/a", "serial=1"));
                            log.flush();
                        })
                        .doesNotThrowAnyException();
            }
            assertThat(store.audit().read(0, 10)).isEmpty();
        }
    }
}
