package io.meshca.server.changes;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshca.common.spiffe.Selector;
import io.meshca.common.spiffe.SelectorSet;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.server.datastore.DataStore;
import io.meshca.server.model.EntryFilter;
import io.meshca.server.model.RegistrationEntry;
import io.meshca.server.registration.EntryCache;
import io.meshca.server.testing.TestPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The change log on PostgreSQL (MESHCA_TEST_POSTGRES_URL; skipped when unset), written by two servers'
 * stores at once: revisions commit in order, and a change feed tailing the log meets every one, once.
 */
class ChangeLogOrderPostgresTest {

    private static final String SCHEMA = "meshca_change_order";
    private static final SpiffeId AGENT = SpiffeId.parse("spiffe://example.org/meshca/agent/a");

    private final List<AutoCloseable> open = new ArrayList<>();

    @BeforeAll
    static void requirePostgres() {
        TestPostgres.require("the change log's order on PostgreSQL");
    }

    @AfterEach
    void close() throws Exception {
        Collections.reverse(open);
        for (AutoCloseable c : open) {
            c.close();
        }
        TestPostgres.dropSchema(SCHEMA);
    }

    private DataStore store(String url) {
        DataStore store = DataStore.open(url, Clock.systemUTC());
        open.add(store);
        return store;
    }

    private static RegistrationEntry draft(String name) {
        return RegistrationEntry.draft(
                SpiffeId.parse("spiffe://example.org/w/" + name), AGENT, SelectorSet.of(Selector.parse("unix:uid:1")));
    }

    /**
     * The property the feed's "no skipped change" rests on: a transaction that has taken a revision holds
     * the counter until it ends, so the next writer cannot take (and commit) a later revision before it.
     */
    @Test
    void aTransactionHoldingARevision_holdsBackTheNextWriter_andARollbackLeavesNoGap() throws Exception {
        String url = TestPostgres.freshSchema(SCHEMA);
        DataStore store = store(url);
        long before = store.changes().currentRevision();
        try (Connection holder = DriverManager.getConnection(url)) {
            holder.setAutoCommit(false);
            try (Statement s = holder.createStatement()) {
                s.executeUpdate("UPDATE counters SET value = value + 1 WHERE name = 'revision'");
            }
            CompletableFuture<RegistrationEntry> writer =
                    CompletableFuture.supplyAsync(() -> store.entries().create(draft("held")));
            try {
                writer.get(500, TimeUnit.MILLISECONDS);
                throw new AssertionError("the second writer committed while the first held a revision");
            } catch (TimeoutException expected) {
                // waiting for the counter, as it must
            }
            holder.rollback();
            assertThat(writer.get(10, TimeUnit.SECONDS).revision()).isEqualTo(before + 1);
        }
        assertThat(store.changes().since(before, 10))
                .extracting(c -> c.revision())
                .containsExactly(before + 1);
    }

    @Test
    void twoServersWritingAtOnce_aFeedAppliesEveryRevisionOnce_inOrder() throws Exception {
        String url = TestPostgres.freshSchema(SCHEMA);
        DataStore first = store(url);
        DataStore second = store(url);
        EntryCache cache = new EntryCache(first.entries());
        List<Long> applied = new CopyOnWriteArrayList<>();
        ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor();
        open.add(thread::shutdownNow);
        ChangeFeed feed = new ChangeFeed(
                first.changes(),
                List.of(
                        ChangeFeed.Stage.of(cache::apply, cache::load),
                        ChangeFeed.Stage.of(batch -> batch.forEach(c -> applied.add(c.revision())), () -> {})),
                thread,
                System::nanoTime);
        open.add(feed);
        long start = first.changes().currentRevision();
        cache.load();
        // Tails every few milliseconds while the writers run, so it reads between their commits.
        feed.start(start, Duration.ofMillis(3));

        int writers = 4;
        int perWriter = 40;
        List<CompletableFuture<Void>> running = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            DataStore store = w % 2 == 0 ? first : second;
            int writer = w;
            running.add(CompletableFuture.runAsync(() -> {
                for (int i = 0; i < perWriter; i++) {
                    RegistrationEntry e = store.entries().create(draft(writer + "-" + i));
                    if (i % 3 == 0) {
                        store.entries().delete(e.id());
                    }
                }
            }));
        }
        CompletableFuture.allOf(running.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
        long end = first.changes().currentRevision();
        feed.catchUpNow();

        assertThat(applied)
                .containsExactlyElementsOf(
                        LongStream.rangeClosed(start + 1, end).boxed().toList());
        assertThat(cache.listByParents(List.of(AGENT)))
                .containsExactlyInAnyOrderElementsOf(first.entries().list(EntryFilter.ALL, "", 10_000));
    }
}
