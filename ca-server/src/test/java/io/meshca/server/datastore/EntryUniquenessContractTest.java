package io.meshca.server.datastore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshca.common.error.AlreadyExistsException;
import io.meshca.common.spiffe.Selector;
import io.meshca.common.spiffe.SelectorSet;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.server.model.Change;
import io.meshca.server.model.RegistrationEntry;
import io.meshca.server.registration.EntryStore;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

/**
 * No two entries share parent ID, SPIFFE ID and selector set: refused on create and update, by the
 * database under concurrent creates from two servers, and cleaned up when an older database migrates.
 * One subclass per database.
 */
abstract class EntryUniquenessContractTest {

    private static final SpiffeId NODE = SpiffeId.parse("spiffe://example.org/node");
    private static final SpiffeId WEB = SpiffeId.parse("spiffe://example.org/web");
    private static final SpiffeId API = SpiffeId.parse("spiffe://example.org/api");

    /** Creates a new, empty database (or schema) called {@code name}; returns its JDBC URL. */
    protected abstract String emptyDatabase(String name);

    /** Opens the datastore on {@code url} as the server does (one more server, if called again). */
    protected abstract DataStore open(String url);

    private static RegistrationEntry draft(SpiffeId id, SpiffeId parent, String... selectors) {
        return RegistrationEntry.draft(
                id,
                parent,
                SelectorSet.of(Arrays.stream(selectors).map(Selector::parse).toList()));
    }

    @Test
    void createOfADuplicate_isRefusedNamingTheExistingEntry_whateverTheSelectorOrder() {
        try (DataStore store = open(emptyDatabase("dup_create"))) {
            RegistrationEntry first = store.entries().create(draft(WEB, NODE, "unix:uid:1", "unix:gid:2"));
            long revision = store.changes().currentRevision();

            assertThatThrownBy(() -> store.entries().create(draft(WEB, NODE, "unix:gid:2", "unix:uid:1")))
                    .isInstanceOf(AlreadyExistsException.class)
                    .hasMessage(EntryStore.DUPLICATE + first.id());
            assertThat(store.changes().currentRevision()).isEqualTo(revision);
        }
    }

    @Test
    void entriesDifferingInParentSpiffeIdOrSelectors_areAllAccepted() {
        try (DataStore store = open(emptyDatabase("dup_distinct"))) {
            store.entries().create(draft(WEB, NODE, "unix:uid:1"));
            store.entries().create(draft(API, NODE, "unix:uid:1"));
            store.entries().create(draft(WEB, API, "unix:uid:1"));
            store.entries().create(draft(WEB, NODE, "unix:uid:1", "unix:gid:2"));

            assertThat(store.entries().listByParents(List.of(NODE, API))).hasSize(4);
        }
    }

    @Test
    void updateIntoADuplicate_isRefused_andChangesNothing() {
        try (DataStore store = open(emptyDatabase("dup_update"))) {
            RegistrationEntry web = store.entries().create(draft(WEB, NODE, "unix:uid:1"));
            RegistrationEntry api = store.entries().create(draft(API, NODE, "unix:uid:1"));
            RegistrationEntry apiAsWeb = new RegistrationEntry(
                    api.id(),
                    WEB,
                    NODE,
                    api.selectors(),
                    Duration.ofMinutes(5),
                    Duration.ZERO,
                    List.of(),
                    List.of(),
                    "",
                    false,
                    false,
                    null,
                    api.revision(),
                    api.createdAt());

            assertThatThrownBy(() -> store.entries().update(apiAsWeb))
                    .isInstanceOf(AlreadyExistsException.class)
                    .hasMessage(EntryStore.DUPLICATE + web.id());
            assertThat(store.entries().get(api.id())).contains(api);
            // An update that keeps the entry's own parent, SPIFFE ID and selectors is no duplicate of itself.
            assertThat(store.entries()
                            .update(api.withX509SvidTtl(Duration.ofMinutes(5)))
                            .x509SvidTtl())
                    .isEqualTo(Duration.ofMinutes(5));
        }
    }

    @Test
    void concurrentCreatesOnTwoServersSharingTheDatabase_exactlyOneWins() throws Exception {
        String url = emptyDatabase("dup_race");
        int attempts = 8;
        ExecutorService pool = Executors.newFixedThreadPool(attempts);
        try (DataStore first = open(url);
                DataStore second = open(url)) {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<RegistrationEntry>> results = new ArrayList<>();
            for (int i = 0; i < attempts; i++) {
                DataStore replica = i % 2 == 0 ? first : second;
                results.add(pool.submit(() -> {
                    go.await();
                    return replica.entries().create(draft(WEB, NODE, "unix:uid:1"));
                }));
            }
            go.countDown();
            List<String> created = new ArrayList<>();
            List<Throwable> refused = new ArrayList<>();
            for (Future<RegistrationEntry> result : results) {
                try {
                    created.add(result.get(60, TimeUnit.SECONDS).id());
                } catch (ExecutionException e) {
                    refused.add(e.getCause());
                }
            }

            assertThat(created).hasSize(1);
            assertThat(refused)
                    .hasSize(attempts - 1)
                    .allSatisfy(e -> assertThat(e)
                            .isInstanceOf(AlreadyExistsException.class)
                            .hasMessage(EntryStore.DUPLICATE + created.get(0)));
            assertThat(second.entries().listByParents(List.of(NODE))).hasSize(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void olderDatabaseWithDuplicates_migratesKeepingTheOldestOfEach() throws Exception {
        String url = emptyDatabase("dup_migrate");
        Flyway.configure()
                .dataSource(url, null, null)
                .locations("classpath:db/migration")
                .target("4")
                .load()
                .migrate();
        try (Connection c = DriverManager.getConnection(url)) {
            insertV4Entry(c, "a-oldest", WEB, "unix:gid:2\nunix:uid:1", 100);
            insertV4Entry(c, "b-copy", WEB, "unix:uid:1\nunix:gid:2", 200);
            insertV4Entry(c, "0-copy", WEB, "unix:gid:2\nunix:uid:1", 300);
            insertV4Entry(c, "c-other", API, "unix:gid:2\nunix:uid:1", 150);
        }

        try (DataStore store = open(url)) {
            assertThat(store.entries().listByParents(List.of(NODE)))
                    .extracting(RegistrationEntry::id)
                    .containsExactly("a-oldest", "c-other");
            // Agents syncing by delta learn that the copies are gone.
            assertThat(store.changes().since(0, 100))
                    .filteredOn(change -> change.op() == Change.Op.DELETE)
                    .extracting(Change::objectId)
                    .containsExactlyInAnyOrder("b-copy", "0-copy");
            assertThatThrownBy(() -> store.entries().create(draft(WEB, NODE, "unix:uid:1", "unix:gid:2")))
                    .hasMessage(EntryStore.DUPLICATE + "a-oldest");
        }
        // The database itself refuses a duplicate key, whoever writes it.
        try (Connection c = DriverManager.getConnection(url);
                PreparedStatement s = c.prepareStatement(
                        "UPDATE entries SET identity_key = (SELECT identity_key FROM entries WHERE id = 'a-oldest')"
                                + " WHERE id = 'c-other'")) {
            assertThatThrownBy(s::executeUpdate).isInstanceOf(SQLException.class);
        }
    }

    private static void insertV4Entry(Connection c, String id, SpiffeId spiffeId, String selectors, long createdAt)
            throws SQLException {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO entries (id, spiffe_id, parent_id, selectors,"
                + " x509_svid_ttl, jwt_svid_ttl, dns_names, federates_with, hint, admin, downstream, expires_at,"
                + " revision, created_at) VALUES (?, ?, ?, ?, 0, 0, '', '', '', FALSE, FALSE, NULL, 1, ?)")) {
            s.setString(1, id);
            s.setString(2, spiffeId.toString());
            s.setString(3, NODE.toString());
            s.setString(4, selectors);
            s.setLong(5, createdAt);
            s.executeUpdate();
        }
    }
}
