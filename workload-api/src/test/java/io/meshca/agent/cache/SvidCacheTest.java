package io.meshca.agent.cache;

import static io.meshca.agent.testing.CacheFixtures.BUNDLE;
import static io.meshca.agent.testing.CacheFixtures.CA;
import static io.meshca.agent.testing.CacheFixtures.DOMAIN;
import static io.meshca.agent.testing.CacheFixtures.delta;
import static io.meshca.agent.testing.CacheFixtures.entry;
import static io.meshca.agent.testing.CacheFixtures.federatingEntry;
import static io.meshca.agent.testing.CacheFixtures.selectors;
import static io.meshca.agent.testing.CacheFixtures.snapshot;
import static io.meshca.agent.testing.CacheFixtures.svid;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshca.common.bundle.JwtAuthority;
import io.meshca.common.pki.Keys;
import io.meshca.common.spiffe.SelectorSet;
import io.meshca.common.spiffe.TrustDomain;
import io.meshca.common.testing.FakeClock;
import io.meshca.common.testing.TestPki;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SvidCacheTest {

    private final FakeClock clock = new FakeClock(Instant.now());
    private final SvidCache cache = new SvidCache(BUNDLE, clock);

    private static final SelectorSet WORKLOAD = selectors("unix:uid:1000", "unix:gid:1000", "unix:user:alice");

    @Test
    void entryMatches_onlyWhenItsSelectorsAreASubsetOfTheWorkloads() {
        AuthorizedEntry byUid = entry("a", "/uid", 1, 1, "unix:uid:1000");
        AuthorizedEntry byUidAndGid = entry("b", "/uid-gid", 2, 1, "unix:uid:1000", "unix:gid:1000");
        AuthorizedEntry needsMore = entry("c", "/more", 3, 1, "unix:uid:1000", "unix:path:/bin/x");
        AuthorizedEntry otherUid = entry("d", "/other", 4, 1, "unix:uid:1001");
        cache.apply(snapshot(1, byUid, byUidAndGid, needsMore, otherUid));
        cache.storeSvids(List.of(svid(byUid), svid(byUidAndGid), svid(needsMore), svid(otherUid)));

        assertThat(cache.snapshot(WORKLOAD).svids())
                .extracting(IssuedSvid::entryId)
                .containsExactly("a", "b");
        assertThat(cache.snapshot(selectors("unix:uid:1001")).svids())
                .extracting(IssuedSvid::entryId)
                .containsExactly("d");
        assertThat(cache.snapshot(selectors("unix:uid:7")).isEmpty()).isTrue();
    }

    @Test
    void matchingEntriesWithoutSvidYet_areCountedAsPending() {
        AuthorizedEntry signed = entry("a", "/signed", 1, 1, "unix:uid:1000");
        AuthorizedEntry unsigned = entry("b", "/unsigned", 2, 1, "unix:gid:1000");
        AuthorizedEntry notMatching = entry("c", "/other", 3, 1, "unix:uid:7");
        cache.apply(snapshot(1, signed, unsigned, notMatching));
        assertThat(cache.snapshot(WORKLOAD).isAwaitingFirstSvid()).isTrue();
        assertThat(cache.snapshot(selectors("unix:uid:8")).isAwaitingFirstSvid())
                .isFalse();

        cache.storeSvids(List.of(svid(signed)));
        X509Snapshot snapshot = cache.snapshot(WORKLOAD);
        assertThat(snapshot.pendingSvids()).isEqualTo(1);
        assertThat(snapshot.isAwaitingFirstSvid()).isFalse();
        assertThat(snapshot.svids()).extracting(IssuedSvid::entryId).containsExactly("a");
    }

    @Test
    void severalEntries_giveSeveralSvids_oldestEntryFirstAsDefault() {
        AuthorizedEntry newer = entry("z-newer", "/newer", 200, 1, "unix:uid:1000");
        AuthorizedEntry oldest = entry("y-oldest", "/oldest", 100, 1, "unix:gid:1000");
        AuthorizedEntry sameTimeLaterId = entry("zz", "/same", 200, 1, "unix:user:alice");
        cache.apply(snapshot(1, newer, oldest, sameTimeLaterId));
        cache.storeSvids(List.of(svid(sameTimeLaterId), svid(newer), svid(oldest)));

        X509Snapshot snapshot = cache.snapshot(WORKLOAD);
        assertThat(snapshot.svids()).extracting(IssuedSvid::entryId).containsExactly("y-oldest", "z-newer", "zz");
        assertThat(snapshot.bundle()).isEqualTo(BUNDLE);
    }

    @Test
    void subscriber_getsTheCurrentStateAtOnce_andEachChange() {
        AuthorizedEntry entry = entry("a", "/web", 1, 1, "unix:uid:1000");
        cache.apply(snapshot(1, entry));
        List<X509Snapshot> seen = new ArrayList<>();
        cache.subscribe(WORKLOAD, seen::add);
        assertThat(seen).hasSize(1);
        assertThat(seen.get(0).isEmpty()).isTrue();

        IssuedSvid first = svid(entry);
        cache.storeSvids(List.of(first));
        assertThat(seen).hasSize(2);
        assertThat(seen.get(1).svids()).containsExactly(first);

        IssuedSvid rotated = svid(entry);
        cache.storeSvids(List.of(rotated));
        assertThat(seen).hasSize(3);
        assertThat(seen.get(2).svids()).containsExactly(rotated);
    }

    @Test
    void oneRotatedSvid_notifiesOnlyTheSubscribersWhoseEntriesIncludeIt() {
        int workloads = 1000;
        List<AuthorizedEntry> entries = new ArrayList<>();
        for (int uid = 0; uid < workloads; uid++) {
            entries.add(entry("e" + uid, "/w" + uid, uid, 1, "unix:uid:" + uid));
        }
        cache.apply(snapshot(1, entries.toArray(new AuthorizedEntry[0])));
        // one leaf shared by all, to keep the test fast; only the rotated one must differ
        TestPki.Leaf shared = CA.leaf(DOMAIN.withPath("/shared"));
        List<IssuedSvid> initial = new ArrayList<>();
        for (AuthorizedEntry e : entries) {
            initial.add(new IssuedSvid(
                    e.id(), e.spiffeId(), shared.chain(), shared.keyPair().getPrivate(), ""));
        }
        cache.storeSvids(initial);
        AtomicInteger[] calls = new AtomicInteger[workloads];
        for (int uid = 0; uid < workloads; uid++) {
            AtomicInteger counter = new AtomicInteger();
            calls[uid] = counter;
            cache.subscribe(selectors("unix:uid:" + uid, "unix:gid:0"), s -> counter.incrementAndGet());
        }

        cache.storeSvids(List.of(svid(entries.get(42))));

        for (int uid = 0; uid < workloads; uid++) {
            assertThat(calls[uid].get()).as("calls of workload %d", uid).isEqualTo(uid == 42 ? 2 : 1);
        }
    }

    @Test
    void deletedEntry_dropsItsSvid_andNotifiesItsSubscribers() {
        AuthorizedEntry keep = entry("keep", "/keep", 1, 1, "unix:uid:1000");
        AuthorizedEntry gone = entry("gone", "/gone", 2, 1, "unix:gid:1000");
        cache.apply(snapshot(1, keep, gone));
        cache.storeSvids(List.of(svid(keep), svid(gone)));
        List<X509Snapshot> seen = new ArrayList<>();
        cache.subscribe(WORKLOAD, seen::add);

        cache.apply(delta(2, List.of(), List.of("gone")));

        assertThat(cache.svid("gone")).isEmpty();
        assertThat(seen).hasSize(2);
        assertThat(seen.get(1).svids()).extracting(IssuedSvid::entryId).containsExactly("keep");
        assertThat(cache.revision()).isEqualTo(2);
    }

    @Test
    void snapshot_replacesAllEntries_keepingTheSvidsOfEntriesThatRemain() {
        AuthorizedEntry keep = entry("keep", "/keep", 1, 1, "unix:uid:1000");
        AuthorizedEntry dropped = entry("dropped", "/dropped", 2, 1, "unix:gid:1000");
        cache.apply(snapshot(1, keep, dropped));
        IssuedSvid kept = svid(keep);
        cache.storeSvids(List.of(kept, svid(dropped)));

        cache.apply(snapshot(7, keep, entry("new", "/new", 3, 7, "unix:uid:1000")));

        assertThat(cache.entries()).extracting(AuthorizedEntry::id).containsExactlyInAnyOrder("keep", "new");
        assertThat(cache.svid("keep")).contains(kept);
        assertThat(cache.svid("dropped")).isEmpty();
        assertThat(cache.revision()).isEqualTo(7);
        assertThat(cache.isSynced()).isTrue();
    }

    @Test
    void newOrChangedEntries_areReportedToEntryListeners_unchangedOnesAreNot() {
        AuthorizedEntry a = entry("a", "/a", 1, 1, "unix:uid:1000");
        cache.apply(snapshot(1, a));
        List<Set<String>> reported = new ArrayList<>();
        cache.addEntryListener(reported::add);

        cache.apply(snapshot(2, a, entry("b", "/b", 2, 2, "unix:uid:1000")));
        cache.apply(delta(3, List.of(entry("a", "/a", 1, 3, "unix:uid:1000", "unix:gid:1000")), List.of()));

        assertThat(reported).containsExactly(Set.of("b"), Set.of("a"));
    }

    @Test
    void entryWhoseSpiffeIdChanged_losesItsSvid_untilANewOneIsSigned() {
        AuthorizedEntry before = entry("a", "/before", 1, 1, "unix:uid:1000");
        cache.apply(snapshot(1, before));
        IssuedSvid old = svid(before);
        cache.storeSvids(List.of(old));

        cache.apply(delta(2, List.of(entry("a", "/after", 1, 2, "unix:uid:1000")), List.of()));

        assertThat(cache.svid("a")).isEmpty();
        // an SVID signed for the old ID that arrives late is discarded
        assertThat(cache.storeSvids(List.of(old))).isZero();
    }

    @Test
    void bundleChange_notifiesEverySubscriber_federatedBundlesOnlyThoseWhoFederate() {
        TrustDomain partner = TrustDomain.parse("partner.org");
        AuthorizedEntry federating = federatingEntry("f", "/f", partner, "unix:uid:1");
        AuthorizedEntry plain = entry("p", "/p", 2, 1, "unix:uid:2");
        cache.apply(snapshot(1, federating, plain));
        cache.storeSvids(List.of(svid(federating), svid(plain)));
        List<X509Snapshot> one = new ArrayList<>();
        List<X509Snapshot> two = new ArrayList<>();
        cache.subscribe(selectors("unix:uid:1"), one::add);
        cache.subscribe(selectors("unix:uid:2"), two::add);

        TrustBundle partnerBundle =
                new TrustBundle(partner, List.of(TestPki.root(partner).certificate()), 1);
        cache.apply(new EntryUpdate(2, false, List.of(), List.of(), null, Map.of(partner, partnerBundle)));
        assertThat(one).hasSize(2);
        assertThat(one.get(1).federatedBundles()).containsEntry(partner, partnerBundle);
        assertThat(two).hasSize(1);

        TrustBundle rotatedOwn = new TrustBundle(
                DOMAIN, List.of(CA.certificate(), TestPki.root(DOMAIN).certificate()), 2);
        cache.apply(new EntryUpdate(3, false, List.of(), List.of(), rotatedOwn, Map.of()));
        assertThat(one).hasSize(3);
        assertThat(two).hasSize(2);
        assertThat(two.get(1).bundle()).isEqualTo(rotatedOwn);
    }

    @Test
    void federatedBundleWithOnlyJwtKeys_isKept_andAnEmptyOneRemovesIt() {
        TrustDomain partner = TrustDomain.parse("partner.org");
        AuthorizedEntry federating = federatingEntry("f", "/f", partner, "unix:uid:1");
        cache.apply(snapshot(1, federating));
        cache.storeSvids(List.of(svid(federating)));
        var jwtKey = new JwtAuthority("kid-1", Keys.generateEcP256().getPublic());
        TrustBundle jwtOnly = new TrustBundle(partner, List.of(), 1, List.of(jwtKey));

        cache.apply(new EntryUpdate(2, false, List.of(), List.of(), null, Map.of(partner, jwtOnly)));
        assertThat(cache.snapshot(selectors("unix:uid:1")).federatedBundles()).containsEntry(partner, jwtOnly);

        cache.apply(new EntryUpdate(
                3, false, List.of(), List.of(), null, Map.of(partner, new TrustBundle(partner, List.of(), 2))));
        assertThat(cache.snapshot(selectors("unix:uid:1")).federatedBundles()).doesNotContainKey(partner);
    }

    @Test
    void closedSubscription_getsNoMoreCalls_andItsGroupIsForgotten() {
        AuthorizedEntry entry = entry("a", "/a", 1, 1, "unix:uid:1000");
        cache.apply(snapshot(1, entry));
        AtomicInteger calls = new AtomicInteger();
        WorkloadIdentitySource.Subscription subscription = cache.subscribe(WORKLOAD, s -> calls.incrementAndGet());
        subscription.close();
        subscription.close();

        cache.storeSvids(List.of(svid(entry)));

        assertThat(calls).hasValue(1);
        assertThat(cache.subscriberGroupCount()).isZero();
    }

    @Test
    void closingFromAnotherThreadWhileTheListenerWaitsForItsOwnLock_doesNotDeadlock() throws Exception {
        // the Workload API stream pattern: its listener and its cancel handler share the stream's monitor
        AuthorizedEntry entry = entry("a", "/a", 1, 1, "unix:uid:1000");
        cache.apply(snapshot(1, entry));
        Object streamMonitor = new Object();
        CountDownLatch listenerEntered = new CountDownLatch(1);
        AtomicInteger calls = new AtomicInteger();
        WorkloadIdentitySource.Subscription subscription = cache.subscribe(WORKLOAD, s -> {
            if (calls.incrementAndGet() > 1) {
                listenerEntered.countDown();
                synchronized (streamMonitor) {
                    calls.incrementAndGet();
                }
            }
        });
        Thread canceller = new Thread(() -> {
            synchronized (streamMonitor) {
                try {
                    listenerEntered.await();
                } catch (InterruptedException e) {
                    return;
                }
                subscription.close();
            }
        });
        canceller.start();
        Thread rotation = new Thread(() -> cache.storeSvids(List.of(svid(entry))));
        rotation.start();

        canceller.join(10_000);
        rotation.join(10_000);

        assertThat(canceller.isAlive()).as("close() deadlocked").isFalse();
        assertThat(rotation.isAlive()).as("storeSvids deadlocked").isFalse();
        assertThat(calls).hasValue(3);
    }

    @Test
    void expiredSvid_isNeverHandedOut_andDroppingItTellsItsSubscribers() {
        AuthorizedEntry shortLived = entry("a", "/short", 1, 1, "unix:uid:1000");
        AuthorizedEntry longLived = entry("b", "/long", 2, 1, "unix:gid:1000");
        cache.apply(snapshot(1, shortLived, longLived));
        IssuedSvid expiring = svidExpiringAt(shortLived, clock.instant().plusSeconds(60));
        IssuedSvid lasting = svid(longLived);
        cache.storeSvids(List.of(expiring, lasting));
        List<X509Snapshot> seen = new ArrayList<>();
        cache.subscribe(WORKLOAD, seen::add);
        assertThat(cache.earliestExpiry()).contains(expiring.notAfter());

        clock.advance(Duration.between(clock.instant(), expiring.notAfter()));

        // withheld from whoever asks from its NotAfter on, even before it is dropped
        assertThat(cache.snapshot(WORKLOAD).svids()).containsExactly(lasting);
        List<X509Snapshot> lateSubscriber = new ArrayList<>();
        cache.subscribe(WORKLOAD, lateSubscriber::add);
        assertThat(lateSubscriber.get(0).svids()).containsExactly(lasting);

        assertThat(cache.dropExpired()).containsExactly("a");
        assertThat(seen).last().satisfies(last -> {
            assertThat(last.svids()).containsExactly(lasting);
            assertThat(last.pendingSvids())
                    .as("an expired SVID is not one being signed")
                    .isZero();
        });
        assertThat(cache.svid("a")).isEmpty();
        assertThat(cache.earliestExpiry()).contains(lasting.notAfter());
        assertThat(cache.dropExpired()).isEmpty();
    }

    @Test
    void workloadWhoseOnlySvidExpired_hasNoIdentity_untilANewOneIsStored() {
        AuthorizedEntry entry = entry("a", "/web", 1, 1, "unix:uid:1000");
        cache.apply(snapshot(1, entry));
        IssuedSvid expiring = svidExpiringAt(entry, clock.instant().plusSeconds(60));
        cache.storeSvids(List.of(expiring));

        clock.advance(Duration.ofSeconds(61));
        cache.dropExpired();

        X509Snapshot expired = cache.snapshot(WORKLOAD);
        assertThat(expired.isEmpty()).isTrue();
        assertThat(expired.isAwaitingFirstSvid())
                .as("the answer of a workload with no identity")
                .isFalse();
        IssuedSvid renewed = svid(entry);
        cache.storeSvids(List.of(renewed));
        assertThat(cache.snapshot(WORKLOAD).svids()).containsExactly(renewed);
    }

    private IssuedSvid svidExpiringAt(AuthorizedEntry entry, Instant notAfter) {
        TestPki.Leaf leaf = CA.leaf(entry.spiffeId(), clock.instant().minusSeconds(60), notAfter);
        return new IssuedSvid(
                entry.id(), entry.spiffeId(), leaf.chain(), leaf.keyPair().getPrivate(), "");
    }
}
