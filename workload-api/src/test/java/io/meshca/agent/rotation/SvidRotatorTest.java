package io.meshca.agent.rotation;

import static io.meshca.agent.testing.CacheFixtures.BUNDLE;
import static io.meshca.agent.testing.CacheFixtures.CA;
import static io.meshca.agent.testing.CacheFixtures.DOMAIN;
import static io.meshca.agent.testing.CacheFixtures.delta;
import static io.meshca.agent.testing.CacheFixtures.entry;
import static io.meshca.agent.testing.CacheFixtures.selectors;
import static io.meshca.agent.testing.CacheFixtures.snapshot;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.meshca.agent.cache.AuthorizedEntry;
import io.meshca.agent.cache.IssuedSvid;
import io.meshca.agent.cache.SvidCache;
import io.meshca.agent.cache.X509Snapshot;
import io.meshca.agent.retry.Backoff;
import io.meshca.common.pki.KeyIdentifiers;
import io.meshca.common.testing.FakeClock;
import io.meshca.common.testing.TestPki;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class SvidRotatorTest {

    private static final Duration TTL = Duration.ofMinutes(10);

    private final FakeClock clock = new FakeClock(Instant.now());
    private final SvidCache cache = new SvidCache(BUNDLE, clock);
    private final TestSigner signer = new TestSigner(CA, cache, clock, TTL);
    private final List<IssuedBatch> issued = new ArrayList<>();
    private final SvidRotator rotator = rotator(new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(8)));

    private SvidRotator rotator(Backoff backoff) {
        return new SvidRotator(
                cache, signer, clock, clock.scheduler(), new SplittableRandom(1), backoff, 100, issued::add);
    }

    @Test
    void newEntry_getsItsSvidAtOnce_notAtTheNextTick() {
        rotator.start();
        clock.runDue();
        AuthorizedEntry entry = entry("a", "/web", 1, 1, "unix:uid:1000");

        cache.apply(snapshot(1, entry));
        clock.runDue();

        IssuedSvid svid = cache.svid("a").orElseThrow();
        assertThat(svid.spiffeId()).isEqualTo(entry.spiffeId());
        assertThat(svid.privateKey().getAlgorithm()).isEqualTo("EC");
        assertThat(signer.signedKeys).hasSize(1);
        assertThat(signer.signedKeys.get(0)).isEqualTo(svid.leaf().getPublicKey());
    }

    @Test
    void svid_isRenewedAtHalfLifeWithinJitter_withANewKeyAndSerial() {
        cache.apply(snapshot(1, entry("a", "/web", 1, 1, "unix:uid:1000")));
        rotator.start();
        clock.runDue();
        IssuedSvid first = cache.svid("a").orElseThrow();
        Instant renewAt = rotator.renewAt("a");
        Instant issued = clock.instant();
        assertThat(renewAt)
                .isBetween(
                        issued.plus(TTL.multipliedBy(45).dividedBy(100)),
                        issued.plus(TTL.multipliedBy(55).dividedBy(100)));

        clock.advance(Duration.between(clock.instant(), renewAt).minusMillis(1));
        assertThat(cache.svid("a")).contains(first);

        clock.advance(Duration.ofMillis(1));
        IssuedSvid second = cache.svid("a").orElseThrow();
        assertThat(second.leaf().getSerialNumber()).isNotEqualTo(first.leaf().getSerialNumber());
        assertThat(second.privateKey()).isNotEqualTo(first.privateKey());
    }

    @Test
    void manyEntries_areSignedInBatchesOfAtMostTheBatchSize() {
        List<AuthorizedEntry> entries = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
            entries.add(entry("e" + i, "/w" + i, i, 1, "unix:uid:" + i));
        }
        cache.apply(snapshot(1, entries.toArray(new AuthorizedEntry[0])));
        rotator.start();
        clock.runDue();

        assertThat(signer.calls).extracting(List::size).containsExactly(100, 50);
        assertThat(entries).allSatisfy(e -> assertThat(cache.svid(e.id())).isPresent());
    }

    @Test
    void failedRenewal_keepsTheValidSvid_andRetriesWithBackoff() {
        cache.apply(snapshot(1, entry("a", "/web", 1, 1, "unix:uid:1000")));
        rotator.start();
        clock.runDue();
        IssuedSvid first = cache.svid("a").orElseThrow();

        signer.unavailable = true;
        clock.advance(Duration.between(clock.instant(), rotator.renewAt("a")));
        int callsAfterFailure = signer.calls.size();
        assertThat(cache.svid("a")).contains(first);

        // first retry within the first backoff step (0.5 s .. 1 s)
        clock.advance(Duration.ofMillis(999));
        assertThat(signer.calls.size()).isEqualTo(callsAfterFailure + 1);
        assertThat(cache.svid("a")).contains(first);

        signer.unavailable = false;
        clock.advance(Duration.ofSeconds(2));
        assertThat(cache.svid("a").orElseThrow().leaf().getSerialNumber())
                .isNotEqualTo(first.leaf().getSerialNumber());
    }

    @Test
    void busyServer_isAskedAgainOnlyAfterItsDelayPlusJitter_andTheRestOfTheRunWaitsToo() {
        List<AuthorizedEntry> entries = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
            entries.add(entry("e" + i, "/w" + i, i, 1, "unix:uid:" + i));
        }
        cache.apply(snapshot(1, entries.toArray(new AuthorizedEntry[0])));
        signer.busyRetryAfter = Duration.ofMillis(500);
        rotator.start();
        clock.runDue();
        assertThat(signer.calls)
                .as("the second batch is not sent to a busy server")
                .hasSize(1);

        // a new entry triggers a run, but the server's wait holds
        cache.apply(delta(2, List.of(entry("late", "/late", 500, 2, "unix:uid:500")), List.of()));
        clock.advance(Duration.ofMillis(499));
        assertThat(signer.calls).hasSize(1);

        signer.busyRetryAfter = null;
        clock.advance(Duration.ofMillis(501)); // the wait is 500 ms plus up to 500 ms of jitter
        assertThat(signer.calls).hasSize(3);
        assertThat(cache.svid("late")).isPresent();
        assertThat(entries).allSatisfy(e -> assertThat(cache.svid(e.id())).isPresent());
    }

    @Test
    void busyRefusals_doNotGrowTheBackoff() {
        cache.apply(snapshot(1, entry("a", "/web", 1, 1, "unix:uid:1000")));
        signer.busyRetryAfter = Duration.ofMillis(200);
        rotator.start();
        clock.runDue();
        clock.advance(Duration.ofSeconds(2)); // several busy refusals
        assertThat(signer.calls.size()).isGreaterThan(2);

        signer.busyRetryAfter = null;
        signer.unavailable = true;
        clock.advance(Duration.ofMillis(400)); // past the last busy wait: one failed call
        int afterFailure = signer.calls.size();
        signer.unavailable = false;

        // the first backoff step (0.5 s .. 1 s), not one grown by the busy refusals
        clock.advance(Duration.ofSeconds(1));
        assertThat(signer.calls.size()).isGreaterThan(afterFailure);
        assertThat(cache.svid("a")).isPresent();
    }

    @Test
    void busyServer_isLoggedOncePerPeriod_notOncePerRefusal() {
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        Logger rotatorLog = (Logger) LoggerFactory.getLogger(SvidRotator.class);
        rotatorLog.addAppender(logs);
        try {
            cache.apply(snapshot(1, entry("a", "/web", 1, 1, "unix:uid:1000")));
            signer.busyRetryAfter = Duration.ofMillis(200);
            rotator.start();
            clock.runDue();
            clock.advance(Duration.ofSeconds(20));
            int refusals = signer.calls.size();

            List<ILoggingEvent> warnings =
                    logs.list.stream().filter(e -> e.getLevel() == Level.WARN).toList();
            assertThat(refusals).isGreaterThan(10);
            assertThat(warnings).hasSize(1);
            assertThat(warnings.get(0).getFormattedMessage())
                    .startsWith("signing queue full (test); keeping the current SVIDs; retrying in ");

            clock.advance(Duration.ofSeconds(15));
            warnings =
                    logs.list.stream().filter(e -> e.getLevel() == Level.WARN).toList();
            assertThat(warnings).hasSize(2);
            assertThat(warnings.get(1).getFormattedMessage()).contains(" more like it in the last 30s");
        } finally {
            rotatorLog.detachAppender(logs);
        }
    }

    @Test
    void eachFailedSigningCall_isOneRetryLine_withTheWait() {
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        Logger rotatorLog = (Logger) LoggerFactory.getLogger(SvidRotator.class);
        rotatorLog.addAppender(logs);
        try {
            cache.apply(snapshot(1, entry("a", "/web", 1, 1, "unix:uid:1000")));
            rotator.start();
            clock.runDue();
            signer.unavailable = true;

            clock.advance(Duration.between(clock.instant(), rotator.renewAt("a")));
            clock.advance(Duration.ofMillis(999));

            List<ILoggingEvent> warnings =
                    logs.list.stream().filter(e -> e.getLevel() == Level.WARN).toList();
            assertThat(warnings)
                    .hasSize(2)
                    .allSatisfy(warning -> assertThat(warning.getFormattedMessage())
                            .matches(
                                    "server down \\(test\\); keeping the current SVIDs; retrying in \\d+(\\.\\d)?m?s"));
        } finally {
            rotatorLog.detachAppender(logs);
        }
    }

    @Test
    void oneRefusedEntry_doesNotHoldBackTheOthers() {
        signer.refusedEntries = Set.of("bad");
        cache.apply(snapshot(1, entry("good", "/good", 1, 1, "unix:uid:1"), entry("bad", "/bad", 2, 1, "unix:uid:2")));
        rotator.start();
        clock.runDue();

        assertThat(cache.svid("good")).isPresent();
        assertThat(cache.svid("bad")).isEmpty();
    }

    @Test
    void changedEntry_isSignedAgain_deletedEntryLosesItsSvid() {
        cache.apply(snapshot(1, entry("a", "/web", 1, 1, "unix:uid:1000"), entry("b", "/db", 2, 1, "unix:uid:1001")));
        rotator.start();
        clock.runDue();
        IssuedSvid before = cache.svid("a").orElseThrow();

        cache.apply(delta(2, List.of(entry("a", "/web", 1, 2, "unix:uid:1000", "unix:gid:1")), List.of("b")));
        clock.runDue();

        assertThat(cache.svid("a").orElseThrow().leaf().getSerialNumber())
                .isNotEqualTo(before.leaf().getSerialNumber());
        assertThat(cache.svid("b")).isEmpty();
    }

    @Test
    void closedRotator_signsNothingMore() {
        cache.apply(snapshot(1, entry("a", "/web", 1, 1, "unix:uid:1000")));
        rotator.start();
        clock.runDue();
        int calls = signer.calls.size();

        rotator.close();
        clock.advance(TTL);

        assertThat(signer.calls).hasSize(calls);
    }

    @Test
    void svidThatFallsDueWhileAnotherIsBeingSigned_isRenewedRightAfter() {
        cache.apply(snapshot(1, entry("a", "/a", 1, 1, "unix:uid:1"), entry("b", "/b", 2, 1, "unix:uid:2")));
        rotator.start();
        clock.runDue();
        Instant renewA = rotator.renewAt("a");
        Instant renewB = rotator.renewAt("b");
        assertThat(renewA).isNotEqualTo(renewB);
        String later = renewA.isBefore(renewB) ? "b" : "a";
        Instant laterAt = renewA.isBefore(renewB) ? renewB : renewA;
        IssuedSvid laterSvid = cache.svid(later).orElseThrow();

        // the earlier entry's renewal takes so long that the later one falls due meanwhile
        signer.duringSign = () -> {
            if (!clock.instant().isAfter(laterAt)) {
                clock.advance(Duration.between(clock.instant(), laterAt).plusSeconds(1));
            }
        };
        clock.advance(Duration.between(clock.instant(), renewA.isBefore(renewB) ? renewA : renewB));
        signer.duringSign = () -> {};
        clock.runDue();

        assertThat(cache.svid(later).orElseThrow().leaf().getSerialNumber())
                .isNotEqualTo(laterSvid.leaf().getSerialNumber());
    }

    @Test
    void taint_reissuesAtOnceEverySvidWhoseChainCarriesIt_inItsOwnBatch_andNothingElse() {
        TestPki.Authority intermediate = CA.intermediate();
        cache.apply(snapshot(1, entry("a", "/a", 1, 1, "unix:uid:1"), entry("b", "/b", 2, 1, "unix:uid:2")));
        rotator.start();
        clock.runDue();
        // "b" was signed by an intermediate that is not tainted, "a" directly by the root
        signer.signWith(intermediate);
        cache.apply(delta(2, List.of(entry("b", "/b", 2, 2, "unix:uid:2")), List.of()));
        clock.runDue();
        IssuedSvid a = cache.svid("a").orElseThrow();
        IssuedSvid b = cache.svid("b").orElseThrow();
        TestPki.Authority replacement = otherRootThan(CA);
        signer.signWith(replacement);
        issued.clear();

        rotator.reissueTainted(
                Set.of(KeyIdentifiers.subjectKeyId(intermediate.certificate()).orElseThrow()));
        clock.runDue();

        assertThat(cache.svid("a")).contains(a);
        IssuedSvid reissued = cache.svid("b").orElseThrow();
        assertThat(reissued.leaf().getSerialNumber()).isNotEqualTo(b.leaf().getSerialNumber());
        assertThat(reissued.chain()).doesNotContain(intermediate.certificate());
        assertThat(KeyIdentifiers.authorityKeyId(reissued.leaf()))
                .isEqualTo(KeyIdentifiers.subjectKeyId(replacement.certificate()));
        assertThat(issued).containsExactly(new IssuedBatch(List.of("b"), true));
        assertThat(rotator.renewAt("b")).isAfter(clock.instant());
    }

    @Test
    void taintOfTheRoot_reachesSvidsSignedByItsIntermediates_andTheSameTaintAgainReissuesNothing() {
        TestPki.Authority intermediate = CA.intermediate();
        signer.signWith(intermediate);
        cache.apply(snapshot(1, entry("a", "/a", 1, 1, "unix:uid:1"), entry("b", "/b", 2, 1, "unix:uid:2")));
        rotator.start();
        clock.runDue();
        signer.signWith(otherRootThan(CA));
        Set<String> rootTainted =
                Set.of(KeyIdentifiers.subjectKeyId(CA.certificate()).orElseThrow());

        rotator.reissueTainted(rootTainted);
        clock.runDue();
        int calls = signer.calls.size();
        IssuedSvid afterTaint = cache.svid("a").orElseThrow();
        // the server repeats the taint in every bundle it sends: it is acted on once
        rotator.reissueTainted(rootTainted);
        clock.runDue();

        assertThat(issued.get(issued.size() - 1).replacedTainted()).isTrue();
        assertThat(issued.get(issued.size() - 1).entryIds()).containsExactlyInAnyOrder("a", "b");
        assertThat(signer.calls).hasSize(calls);
        assertThat(cache.svid("a")).contains(afterTaint);
    }

    @Test
    void taintedSvidsThatFailToReissue_areRetriedFirst_withBackoff() {
        cache.apply(snapshot(1, entry("a", "/a", 1, 1, "unix:uid:1")));
        rotator.start();
        clock.runDue();
        signer.signWith(otherRootThan(CA));
        signer.unavailable = true;

        rotator.reissueTainted(
                Set.of(KeyIdentifiers.subjectKeyId(CA.certificate()).orElseThrow()));
        clock.runDue();
        assertThat(issued).hasSize(1); // only the first issuance
        signer.unavailable = false;
        clock.advance(Duration.ofSeconds(1));

        assertThat(issued).last().isEqualTo(new IssuedBatch(List.of("a"), true));
    }

    @Test
    void svidThatCouldNotBeRenewed_isWithheldAtItsExpiry_untilANewOneIsSigned() {
        cache.apply(snapshot(1, entry("a", "/web", 1, 1, "unix:uid:1000")));
        rotator.start();
        clock.runDue();
        IssuedSvid svid = cache.svid("a").orElseThrow();
        List<X509Snapshot> seen = new ArrayList<>();
        cache.subscribe(selectors("unix:uid:1000"), seen::add);
        signer.unavailable = true;

        clock.advance(Duration.between(clock.instant(), svid.notAfter()).minusMillis(1));
        assertThat(cache.snapshot(selectors("unix:uid:1000")).svids()).containsExactly(svid);
        clock.advance(Duration.ofMillis(1));
        // expired: no longer handed out, even before the rotator (which wakes within a millisecond) drops it
        assertThat(cache.snapshot(selectors("unix:uid:1000")).svids()).isEmpty();
        clock.advance(Duration.ofMillis(1));

        assertThat(cache.svid("a")).isEmpty();
        assertThat(seen).last().satisfies(last -> {
            assertThat(last.isEmpty()).isTrue();
            assertThat(last.isAwaitingFirstSvid()).as("served as no identity").isFalse();
        });
        signer.unavailable = false;
        clock.advance(Duration.ofSeconds(8));
        assertThat(cache.svid("a")).isPresent();
        assertThat(seen).last().satisfies(last -> assertThat(last.svids()).hasSize(1));
    }

    @Test
    void failedRenewalCloseToExpiry_isRetriedWithinATenthOfTheRemainingLifetime_notAfterTheBackoff() {
        TestSigner shortLived = new TestSigner(CA, cache, clock, Duration.ofSeconds(10));
        SvidRotator rotating = new SvidRotator(
                cache,
                shortLived,
                clock,
                clock.scheduler(),
                new SplittableRandom(1),
                new Backoff(Duration.ofSeconds(30), Duration.ofSeconds(30)),
                100,
                issued::add);
        cache.apply(snapshot(1, entry("a", "/web", 1, 1, "unix:uid:1000")));
        rotating.start();
        clock.runDue();
        Instant notAfter = cache.svid("a").orElseThrow().notAfter();
        List<Instant> attempts = new ArrayList<>();
        shortLived.duringSign = () -> attempts.add(clock.instant());
        shortLived.unavailable = true;

        clock.advance(Duration.between(clock.instant(), notAfter).minusMillis(1));

        assertThat(attempts).hasSizeGreaterThan(10);
        for (int i = 1; i < attempts.size(); i++) {
            Duration remaining = Duration.between(attempts.get(i - 1), notAfter);
            Duration bound = remaining.dividedBy(10).compareTo(Duration.ofMillis(100)) < 0
                    ? Duration.ofMillis(100)
                    : remaining.dividedBy(10);
            assertThat(Duration.between(attempts.get(i - 1), attempts.get(i))).isLessThanOrEqualTo(bound.plusMillis(1));
        }
        assertThat(Duration.between(attempts.get(attempts.size() - 1), notAfter))
                .isLessThanOrEqualTo(Duration.ofMillis(101));
        rotating.close();
    }

    /** A root with another key than {@code ca} (TestPki reuses a pool of keys). */
    private static TestPki.Authority otherRootThan(TestPki.Authority ca) {
        TestPki.Authority root = TestPki.root(DOMAIN);
        while (root.keyPair().getPublic().equals(ca.keyPair().getPublic())) {
            root = TestPki.root(DOMAIN);
        }
        return root;
    }
}
