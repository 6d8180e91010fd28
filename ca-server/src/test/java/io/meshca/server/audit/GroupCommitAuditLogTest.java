package io.meshca.server.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshca.common.error.UnavailableException;
import io.meshca.common.testing.FakeClock;
import io.meshca.server.audit.GroupCommitAuditLog.Mode;
import io.meshca.server.datastore.DataStore;
import io.meshca.server.model.AuditRecord;
import io.meshca.server.testing.FaultyAuditStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
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
            try (GroupCommitAuditLog log = new GroupCommitAuditLog(store.audit(), spool(), clock)) {
                log.record(new AuditEvent("admin:local", "entry.create", "spiffe://example.org/web", "id=1"));
                log.record(new AuditEvent("agent", "x509svid.issue", "spiffe://example.org/web", "serial=ab"));
            }
            try (GroupCommitAuditLog log = new GroupCommitAuditLog(store.audit(), spool(), clock)) {
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
                GroupCommitAuditLog log = new GroupCommitAuditLog(store.audit(), spool(), clock, Mode.SYNC)) {
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
            try (GroupCommitAuditLog log = new GroupCommitAuditLog(faulty, spool(), clock, Mode.SYNC)) {
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
            try (GroupCommitAuditLog log = new GroupCommitAuditLog(counting, spool(), clock, Mode.SYNC)) {
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
    void async_storeFailure_isNotTheRecordersProblem_andTheRowsWaitInTheSpool() throws Exception {
        try (DataStore store = DataStore.sqlite(dir, clock)) {
            FaultyAuditStore faulty = new FaultyAuditStore(store.audit());
            faulty.failing(true);
            try (GroupCommitAuditLog log = new GroupCommitAuditLog(faulty, spool(), clock)) {
                assertThat(log.mode()).isEqualTo(Mode.ASYNC);
                assertThatCode(() -> {
                            log.record(new AuditEvent("agent", "x509svid.issue", "spiffe://example.org/a", "serial=1"));
                            log.flush();
                        })
                        .doesNotThrowAnyException();
            }
            assertThat(store.audit().read(0, 10)).isEmpty();
            Path file = dir.resolve(AuditSpool.FILE);
            assertThat(file).exists();
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                    .isEqualTo("rw-------");
            assertThat(AuditSpool.in(dir).pending()).isEqualTo(1);
        }
    }

    @Test
    void async_rowsTheStoreRefused_areStoredInOrder_withTheirTimes_onceItIsBack() {
        try (DataStore store = DataStore.sqlite(dir, clock)) {
            FaultyAuditStore faulty = new FaultyAuditStore(store.audit());
            try (GroupCommitAuditLog log = new GroupCommitAuditLog(faulty, spool(), clock)) {
                log.record(issued("serial=1"));
                log.flush();
                faulty.failing(true);
                Instant outage = clock.instant();
                for (int i = 2; i <= 4; i++) {
                    clock.advance(Duration.ofSeconds(10));
                    log.record(issued("serial=" + i));
                    log.flush();
                }
                faulty.failing(false);
                clock.advance(Duration.ofSeconds(10));
                // The first row after the outage waits behind the spooled ones.
                log.record(issued("serial=5"));
                log.flush();

                assertThat(dir.resolve(AuditSpool.FILE)).doesNotExist();
                List<AuditRecord> rows = store.audit().read(0, 10);
                assertThat(rows)
                        .extracting(AuditRecord::detail)
                        .containsExactly("serial=1", "serial=2", "serial=3", "serial=4", "serial=5");
                assertThat(rows.get(1).atMillis())
                        .isEqualTo(outage.plusSeconds(10).toEpochMilli());
                assertThat(AuditChain.verify(null, rows)).isNull();
            }
        }
    }

    @Test
    void async_anIdleWriter_retriesTheSpool_everyRetryInterval() throws Exception {
        try (DataStore store = DataStore.sqlite(dir, clock)) {
            FaultyAuditStore faulty = new FaultyAuditStore(store.audit());
            CountDownLatch stored = new CountDownLatch(1);
            AuditStore signalling = new ForwardingAuditStore(faulty) {
                @Override
                public List<AuditRecord> append(List<TimedAuditEvent> events) {
                    List<AuditRecord> rows = super.append(events);
                    if (!rows.isEmpty()) {
                        stored.countDown();
                    }
                    return rows;
                }
            };
            faulty.failing(true);
            try (GroupCommitAuditLog log = new GroupCommitAuditLog(signalling, spool(), clock)) {
                log.record(issued("serial=1"));
                log.flush();
                faulty.failing(false);

                clock.advance(GroupCommitAuditLog.RETRY);

                assertThat(stored.await(10, TimeUnit.SECONDS)).isTrue();
                assertThat(store.audit().read(0, 10))
                        .extracting(AuditRecord::detail)
                        .containsExactly("serial=1");
            }
        }
    }

    @Test
    void aSpoolLeftByAnEarlierRun_isStoredFirst_whenTheLogStarts() throws Exception {
        AuditSpool left = spool();
        left.append(List.of(
                new TimedAuditEvent(issued("serial=1"), 1_000), new TimedAuditEvent(issued("serial=2"), 2_000)));
        left.close();
        try (DataStore store = DataStore.sqlite(dir, clock)) {
            try (GroupCommitAuditLog log = new GroupCommitAuditLog(store.audit(), spool(), clock, Mode.SYNC)) {
                log.record(issued("serial=3"));
            }
            List<AuditRecord> rows = store.audit().read(0, 10);
            assertThat(rows).extracting(AuditRecord::detail).containsExactly("serial=1", "serial=2", "serial=3");
            assertThat(rows).extracting(AuditRecord::atMillis).startsWith(1_000L, 2_000L);
            assertThat(AuditChain.verify(null, rows)).isNull();
            assertThat(dir.resolve(AuditSpool.FILE)).doesNotExist();
        }
    }

    @Test
    void sync_storeFailure_spoolsNothing_andAnUnavailableStore_isNamedToTheRecorder() {
        AuditStore away = new ForwardingAuditStore(null) {
            @Override
            public List<AuditRecord> append(List<TimedAuditEvent> events) {
                throw new UnavailableException("datastore unavailable: connection refused (db:5432) since 12:01:03");
            }
        };
        try (GroupCommitAuditLog log = new GroupCommitAuditLog(away, spool(), clock, Mode.SYNC)) {
            assertThatThrownBy(() -> log.record(issued("serial=1")))
                    .isInstanceOf(AuditWriteException.class)
                    .hasMessage("audit row not written: datastore unavailable: connection refused (db:5432)"
                            + " since 12:01:03");
        }
        assertThat(dir.resolve(AuditSpool.FILE)).doesNotExist();
    }

    /** A store that passes everything on; tests override what they observe or break. */
    private static class ForwardingAuditStore implements AuditStore {
        private final AuditStore delegate;

        ForwardingAuditStore(AuditStore delegate) {
            this.delegate = delegate;
        }

        @Override
        public Optional<AuditRecord> last() {
            return delegate.last();
        }

        @Override
        public List<AuditRecord> append(List<TimedAuditEvent> events) {
            return delegate.append(events);
        }

        @Override
        public List<AuditRecord> read(long afterSeq, int limit) {
            return delegate.read(afterSeq, limit);
        }
    }

    private AuditSpool spool() {
        return AuditSpool.in(dir);
    }

    private static AuditEvent issued(String detail) {
        return new AuditEvent("agent", "x509svid.issue", "spiffe://example.org/web", detail);
    }
}
