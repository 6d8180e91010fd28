package io.meshca.agent.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.meshca.agent.cache.EntryUpdate;
import io.meshca.agent.cache.SvidCache;
import io.meshca.agent.cache.TrustBundle;
import io.meshca.agent.retry.Backoff;
import io.meshca.agent.testing.FakeServer;
import io.meshca.common.spiffe.TrustDomain;
import io.meshca.common.testing.FakeClock;
import io.meshca.common.testing.TestPki;
import io.meshca.proto.server.v1.Entry;
import io.meshca.proto.server.v1.Selector;
import io.meshca.proto.server.v1.WatchAuthorizedResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class WatchTest {

    private static final TrustDomain DOMAIN = TrustDomain.parse("example.org");
    private static final TestPki.Authority CA = TestPki.root(DOMAIN);
    private static final TrustBundle INITIAL = new TrustBundle(DOMAIN, List.of(CA.certificate()), 1);

    private static Entry entry(String id, long revision) {
        return Entry.newBuilder()
                .setId(id)
                .setSpiffeId("spiffe://example.org/" + id)
                .addSelectors(Selector.newBuilder().setType("unix").setValue("uid:1000"))
                .setRevision(revision)
                .build();
    }

    /** A watch of {@code server} into {@code cache}, reconnecting on {@code clock}'s scheduler. */
    private static AuthorizedEntryWatcher watcher(
            FakeServer server, SvidCache cache, FakeClock clock, Backoff backoff) {
        return new AuthorizedEntryWatcher(
                server.channel,
                new WatchApplier(cache::apply),
                cache::revision,
                clock.scheduler(),
                new SplittableRandom(1),
                backoff,
                0);
    }

    private static WatchAuthorizedResponse.Builder page(long revision, boolean full, boolean last, Entry... entries) {
        return WatchAuthorizedResponse.newBuilder()
                .setRevision(revision)
                .setFullSnapshot(full)
                .setLastPage(last)
                .addAllUpserted(List.of(entries));
    }

    @Test
    void snapshotInPages_isAppliedOnlyWhenComplete() {
        List<EntryUpdate> applied = new ArrayList<>();
        WatchApplier applier = new WatchApplier(applied::add);

        applier.onPage(page(5, true, false, entry("a", 1), entry("b", 2))
                .setBundle(FakeServer.bundle("example.org", 2, CA.certificate()))
                .build());
        assertThat(applied).isEmpty();
        applier.onPage(page(5, true, true, entry("c", 5)).build());

        assertThat(applied).hasSize(1);
        EntryUpdate update = applied.get(0);
        assertThat(update.fullSnapshot()).isTrue();
        assertThat(update.revision()).isEqualTo(5);
        assertThat(update.upserted()).extracting(e -> e.id()).containsExactly("a", "b", "c");
        assertThat(update.bundle().sequence()).isEqualTo(2);
    }

    @Test
    void bundleNamingTaintedAuthorities_carriesThemIntoTheUpdate_authorityIdsInLowerCase() {
        List<EntryUpdate> applied = new ArrayList<>();
        WatchApplier applier = new WatchApplier(applied::add);

        applier.onPage(page(5, true, true)
                .setBundle(FakeServer.bundle("example.org", 2, CA.certificate()).toBuilder()
                        .addTaintedX509AuthorityIds("AB01cd")
                        .addTaintedJwtKeyIds("kid-1"))
                .build());

        TrustBundle bundle = applied.get(0).bundle();
        assertThat(bundle.taintedX509AuthorityIds()).containsExactly("ab01cd");
        assertThat(bundle.taintedJwtKeyIds()).containsExactly("kid-1");
        assertThat(bundle.x509Authorities()).containsExactly(CA.certificate());
    }

    @Test
    void delta_upsertsAndDeletes_inTheCache() {
        SvidCache cache = new SvidCache(INITIAL, Clock.systemUTC());
        WatchApplier applier = new WatchApplier(cache::apply);
        applier.onPage(page(5, true, true, entry("a", 1), entry("b", 2)).build());

        applier.onPage(
                page(6, false, true, entry("c", 6)).addDeletedEntryIds("a").build());

        assertThat(cache.entries()).extracting(e -> e.id()).containsExactlyInAnyOrder("b", "c");
        assertThat(cache.revision()).isEqualTo(6);
    }

    @Test
    void mixedSnapshotAndChangePages_areRejected_andNothingApplied() {
        List<EntryUpdate> applied = new ArrayList<>();
        WatchApplier applier = new WatchApplier(applied::add);
        applier.onPage(page(5, true, false, entry("a", 1)).build());

        assertThatThrownBy(
                        () -> applier.onPage(page(5, false, true, entry("b", 2)).build()))
                .hasMessageContaining("mixed snapshot and change pages");
        assertThat(applied).isEmpty();
    }

    @Test
    void brokenStream_reconnectsAfterBackoff_resumingFromTheLastAppliedRevision_keepingTheCache() throws Exception {
        FakeClock clock = new FakeClock(Instant.now());
        SvidCache cache = new SvidCache(INITIAL, clock);
        try (FakeServer server = new FakeServer()) {
            server.watch = (request, stream) -> {
                if (request.getSinceRevision() == 0) {
                    stream.onNext(
                            page(5, true, true, entry("a", 1), entry("b", 5)).build());
                    // half of a change set, then the connection drops
                    stream.onNext(page(6, false, false, entry("c", 6)).build());
                    stream.onError(Status.UNAVAILABLE
                            .withDescription("server restarting")
                            .asRuntimeException());
                } else {
                    stream.onNext(page(7, false, true, entry("d", 7))
                            .addDeletedEntryIds("a")
                            .build());
                }
            };
            AuthorizedEntryWatcher watcher =
                    watcher(server, cache, clock, new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30)));
            watcher.start();

            assertThat(cache.revision()).isEqualTo(5);
            assertThat(cache.entries()).extracting(e -> e.id()).containsExactlyInAnyOrder("a", "b");
            assertThat(server.watchRequests).hasSize(1);

            clock.advance(Duration.ofMillis(1000));

            assertThat(server.watchRequests).hasSize(2);
            assertThat(server.watchRequests.get(1).getSinceRevision()).isEqualTo(5);
            assertThat(cache.entries()).extracting(e -> e.id()).containsExactlyInAnyOrder("b", "d");
            assertThat(cache.revision()).isEqualTo(7);
            watcher.close();
        }
    }

    @Test
    void brokenStream_reconnectsAtOnceWhenTheConnectionIsBack_notAtTheNextBackoffStep() throws Exception {
        FakeClock clock = new FakeClock(Instant.now());
        SvidCache cache = new SvidCache(INITIAL, clock);
        try (FakeServer server = new FakeServer()) {
            server.watch = (request, stream) -> {
                if (request.getSinceRevision() == 0) {
                    stream.onNext(page(5, true, true, entry("a", 1)).build());
                    stream.onError(Status.UNAVAILABLE.asRuntimeException());
                } else {
                    stream.onNext(page(6, false, true, entry("b", 6)).build());
                }
            };
            AuthorizedEntryWatcher watcher =
                    watcher(server, cache, clock, new Backoff(Duration.ofSeconds(30), Duration.ofSeconds(30)));
            watcher.start();
            assertThat(server.watchRequests).hasSize(1);

            watcher.reconnectNow();

            assertThat(server.watchRequests).hasSize(2);
            assertThat(cache.revision()).isEqualTo(6);
            // connected again: nothing is pending, so neither the old timer nor another call reconnects
            watcher.reconnectNow();
            clock.advance(Duration.ofMinutes(1));
            assertThat(server.watchRequests).hasSize(2);
            watcher.close();
        }
    }

    @Test
    void closedWatcher_cancelsItsStream_andDoesNotReconnect() throws Exception {
        FakeClock clock = new FakeClock(Instant.now());
        SvidCache cache = new SvidCache(INITIAL, clock);
        try (FakeServer server = new FakeServer()) {
            server.watch = (request, stream) ->
                    stream.onNext(page(5, true, true, entry("a", 1)).build());
            AuthorizedEntryWatcher watcher = watcher(server, cache, clock, Backoff.DEFAULT);
            watcher.start();
            assertThat(cache.revision()).isEqualTo(5);

            watcher.close();
            clock.advance(Duration.ofMinutes(5));

            assertThat(server.watchRequests).hasSize(1);
            assertThat(clock.pendingTasks()).isZero();
        }
    }
}
