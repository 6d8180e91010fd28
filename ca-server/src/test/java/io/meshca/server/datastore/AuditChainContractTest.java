package io.meshca.server.datastore;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshca.server.audit.AuditChain;
import io.meshca.server.audit.AuditEvent;
import io.meshca.server.audit.AuditSpool;
import io.meshca.server.audit.GroupCommitAuditLog;
import io.meshca.server.model.AuditRecord;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One audit chain, whatever the number of writers: two servers (two datastores, two group-commit logs)
 * recording at once on one database store every row, in one unbroken chain. One subclass per database.
 */
abstract class AuditChainContractTest {

    private static final int WRITERS_PER_SERVER = 4;
    private static final int EVENTS_PER_WRITER = 150;

    @TempDir
    Path dir;

    /** The spool of server {@code name}: each server has its own, in its data dir. */
    private AuditSpool spool(String name) {
        return AuditSpool.in(dir.resolve(name));
    }

    /** Creates a new, empty database (or schema) called {@code name}; returns its JDBC URL. */
    protected abstract String emptyDatabase(String name);

    /** Opens the datastore on {@code url} as a server does (one more server, if called again). */
    protected abstract DataStore open(String url);

    @Test
    void twoServersRecordingAtOnce_storeEveryRow_inOneIntactChain() throws Exception {
        String url = emptyDatabase("audit_two_writers");
        try (DataStore a = open(url);
                DataStore b = open(url);
                GroupCommitAuditLog logA = new GroupCommitAuditLog(a.audit(), spool("a"), Clock.systemUTC());
                GroupCommitAuditLog logB = new GroupCommitAuditLog(b.audit(), spool("b"), Clock.systemUTC())) {
            // Each log learns nothing of the other's rows except through the database.
            logA.record(new AuditEvent("server-a", "server.start", "a", ""));
            logA.flush();
            logB.record(new AuditEvent("server-b", "server.start", "b", ""));
            logB.flush();

            ExecutorService pool = Executors.newFixedThreadPool(2 * WRITERS_PER_SERVER);
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> writers = new ArrayList<>();
            for (int w = 0; w < WRITERS_PER_SERVER; w++) {
                writers.add(pool.submit(writer(start, logA, "server-a", w)));
                writers.add(pool.submit(writer(start, logB, "server-b", w)));
            }
            start.countDown();
            for (Future<?> writer : writers) {
                writer.get(60, TimeUnit.SECONDS);
            }
            pool.shutdown();
            logA.flush();
            logB.flush();

            List<AuditRecord> rows = a.audit().read(0, 10_000);
            int expected = 2 + 2 * WRITERS_PER_SERVER * EVENTS_PER_WRITER;
            assertThat(rows).hasSize(expected);
            assertThat(rows.stream().filter(r -> r.actor().equals("server-b")))
                    .hasSize(1 + WRITERS_PER_SERVER * EVENTS_PER_WRITER);
            assertThat(AuditChain.verify(null, rows)).isNull();
            assertThat(b.audit().last().orElseThrow().seq()).isEqualTo(expected);
        }
    }

    @Test
    void aServerStartedAfterAnother_continuesItsChain() {
        String url = emptyDatabase("audit_restart");
        try (DataStore a = open(url);
                DataStore b = open(url)) {
            try (GroupCommitAuditLog logA = new GroupCommitAuditLog(a.audit(), spool("a"), Clock.systemUTC())) {
                logA.record(new AuditEvent("server-a", "entry.create", "x", ""));
                logA.flush();
            }
            try (GroupCommitAuditLog logB = new GroupCommitAuditLog(b.audit(), spool("b"), Clock.systemUTC());
                    GroupCommitAuditLog logA = new GroupCommitAuditLog(a.audit(), spool("a"), Clock.systemUTC())) {
                logB.record(new AuditEvent("server-b", "entry.create", "y", ""));
                logB.flush();
                // A remembered its head from before B wrote: it must chain after B's row all the same.
                logA.record(new AuditEvent("server-a", "entry.delete", "x", ""));
                logA.flush();
            }
            List<AuditRecord> rows = a.audit().read(0, 10);
            assertThat(rows)
                    .extracting(AuditRecord::action)
                    .containsExactly("entry.create", "entry.create", "entry.delete");
            assertThat(AuditChain.verify(null, rows)).isNull();
        }
    }

    private static Runnable writer(CountDownLatch start, GroupCommitAuditLog log, String actor, int writer) {
        return () -> {
            try {
                start.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            for (int i = 0; i < EVENTS_PER_WRITER; i++) {
                log.record(new AuditEvent(actor, "x509svid.issue", "w" + writer + "-" + i, ""));
            }
        };
    }
}
