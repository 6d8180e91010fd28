package io.meshca.server.datastore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshca.common.bundle.JwtAuthority;
import io.meshca.common.bundle.SpiffeBundle;
import io.meshca.common.error.NotFoundException;
import io.meshca.common.pki.Keys;
import io.meshca.common.spiffe.Selector;
import io.meshca.common.spiffe.SelectorSet;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.common.spiffe.TrustDomain;
import io.meshca.common.testing.TestPki;
import io.meshca.server.attestation.node.JoinTokenStore;
import io.meshca.server.audit.AuditChain;
import io.meshca.server.audit.AuditEvent;
import io.meshca.server.audit.TimedAuditEvent;
import io.meshca.server.model.AgentRecord;
import io.meshca.server.model.AuditRecord;
import io.meshca.server.model.AuthorityStatus;
import io.meshca.server.model.Change;
import io.meshca.server.model.EntryFilter;
import io.meshca.server.model.RegistrationEntry;
import io.meshca.server.model.StoredAuthority;
import io.meshca.server.model.StoredJwtAuthority;
import io.meshca.server.model.UpstreamRoot;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The DataStore contract; one subclass per database. */
abstract class DataStoreContractTest {

    protected static final SpiffeId AGENT = SpiffeId.parse("spiffe://example.org/meshca/agent/join_token/a1");
    protected static final SpiffeId WEB = SpiffeId.parse("spiffe://example.org/web");

    protected DataStore store;

    protected abstract DataStore open();

    @BeforeEach
    void setUp() {
        store = open();
    }

    @AfterEach
    void tearDown() {
        if (store != null) {
            store.close();
        }
    }

    private RegistrationEntry draft(SpiffeId id, SpiffeId parent, String... selectors) {
        return RegistrationEntry.draft(
                        id,
                        parent,
                        SelectorSet.of(
                                Arrays.stream(selectors).map(Selector::parse).toList()))
                .withDnsNames(List.of("web.local"));
    }

    @Test
    void entries_roundTrip_andEveryWriteBumpsTheRevision() {
        long before = store.changes().currentRevision();
        RegistrationEntry created = store.entries().create(draft(WEB, AGENT, "unix:uid:1000", "unix:gid:10"));

        assertThat(created.id()).isNotEmpty();
        assertThat(created.revision()).isGreaterThan(before);
        RegistrationEntry read = store.entries().get(created.id()).orElseThrow();
        assertThat(read).isEqualTo(created);

        RegistrationEntry updated = store.entries().update(read.withDnsNames(List.of("a.local", "b.local")));
        assertThat(updated.revision()).isGreaterThan(created.revision());
        assertThat(store.entries().get(created.id()).orElseThrow().dnsNames()).containsExactly("a.local", "b.local");

        assertThat(store.entries().delete(created.id())).isTrue();
        assertThat(store.entries().get(created.id())).isEmpty();
        assertThat(store.entries().delete(created.id())).isFalse();

        List<Change> changes = store.changes().since(before, 100);
        assertThat(changes)
                .extracting(Change::op)
                .containsExactly(Change.Op.UPSERT, Change.Op.UPSERT, Change.Op.DELETE);
        assertThat(changes).extracting(Change::revision).isSorted();
        assertThat(changes).allSatisfy(c -> assertThat(c.parentId()).isEqualTo(AGENT.toString()));
    }

    @Test
    void updateOfAMissingEntry_isNotFound() {
        RegistrationEntry ghost = draft(WEB, AGENT, "unix:uid:1").withIdentity("missing", 0, Instant.EPOCH);
        assertThatThrownBy(() -> store.entries().update(ghost)).isInstanceOf(NotFoundException.class);
    }

    @Test
    void list_filtersAndPages() {
        SpiffeId other = SpiffeId.parse("spiffe://example.org/meshca/agent/join_token/b2");
        for (int i = 0; i < 5; i++) {
            store.entries().create(draft(WEB, AGENT, "unix:uid:" + i));
        }
        store.entries().create(draft(WEB, other, "unix:uid:1"));

        List<RegistrationEntry> first = store.entries().list(new EntryFilter(null, AGENT, null), "", 3);
        List<RegistrationEntry> rest = store.entries()
                .list(new EntryFilter(null, AGENT, null), first.get(2).id(), 3);
        assertThat(first).hasSize(3);
        assertThat(rest).hasSize(2);
        assertThat(store.entries()
                        .list(new EntryFilter(null, null, SelectorSet.of(Selector.parse("unix:uid:1"))), "", 10))
                .hasSize(2);
        assertThat(store.entries().listByParents(List.of(other))).hasSize(1);
    }

    @Test
    void entryCount_isTheDatabasesCount_underEveryFilter() {
        SpiffeId other = SpiffeId.parse("spiffe://example.org/meshca/agent/join_token/b2");
        for (int i = 0; i < 3; i++) {
            store.entries().create(draft(WEB, AGENT, "unix:uid:" + i));
        }
        store.entries()
                .create(draft(WEB, other, "unix:uid:1")
                        .withFederatesWith(List.of("spiffe://partner.org", "third.org"))
                        .withHint("blue"));

        assertThat(store.entries().count(EntryFilter.ALL)).isEqualTo(4);
        assertThat(store.entries().count(new EntryFilter(null, AGENT, null))).isEqualTo(3);
        assertThat(store.entries().count(new EntryFilter(WEB, null, null))).isEqualTo(4);
        assertThat(store.entries().count(new EntryFilter(null, null, SelectorSet.of(Selector.parse("unix:uid:1")))))
                .isEqualTo(2);
        assertThat(store.entries().count(new EntryFilter(null, null, null, Set.of(), "blue")))
                .isEqualTo(1);
        assertThat(store.entries().count(new EntryFilter(null, null, null, Set.of(), "red")))
                .isZero();
        assertThat(store.entries()
                        .count(new EntryFilter(null, null, null, Set.of(TrustDomain.parse("partner.org")), null)))
                .isEqualTo(1);
        assertThat(store.entries()
                        .count(new EntryFilter(null, AGENT, null, Set.of(TrustDomain.parse("partner.org")), null)))
                .isZero();
        assertThat(store.entries()
                        .list(
                                new EntryFilter(null, null, null, Set.of(TrustDomain.parse("third.org")), "blue"),
                                "",
                                10))
                .extracting(RegistrationEntry::parentId)
                .containsExactly(other);
    }

    @Test
    void agentCount_andExpiredBefore() {
        Instant now = Instant.ofEpochSecond(1_800_000_000L);
        SpiffeId stale = SpiffeId.parse("spiffe://example.org/meshca/agent/join_token/old");
        store.agents().upsert(agent(AGENT, now.plusSeconds(3600)));
        store.agents().upsert(agent(stale, now.minus(Duration.ofDays(40))));

        assertThat(store.agents().count()).isEqualTo(2);
        assertThat(store.agents().listExpiredBefore(now.minus(Duration.ofDays(30))))
                .extracting(AgentRecord::spiffeId)
                .containsExactly(stale);
        assertThat(store.agents().listExpiredBefore(now.minus(Duration.ofDays(41))))
                .isEmpty();
    }

    private static AgentRecord agent(SpiffeId id, Instant svidExpiresAt) {
        return new AgentRecord(
                id, "join_token", "ab", svidExpiresAt, false, SelectorSet.of(), svidExpiresAt, svidExpiresAt);
    }

    @Test
    void agents_upsertBanDelete_recordChanges() {
        long before = store.changes().currentRevision();
        Instant now = Instant.ofEpochSecond(1_800_000_000L);
        store.agents()
                .upsert(new AgentRecord(
                        AGENT,
                        "join_token",
                        "ab",
                        now,
                        false,
                        SelectorSet.of(Selector.parse("join_token:a1")),
                        now,
                        now));

        assertThat(store.agents().get(AGENT).orElseThrow().selectors().contains(Selector.parse("join_token:a1")))
                .isTrue();
        assertThat(store.agents().updateSvid(AGENT, "cd", now.plusSeconds(60), now))
                .isTrue();
        assertThat(store.agents().get(AGENT).orElseThrow().serial()).isEqualTo("cd");
        assertThat(store.agents().ban(AGENT)).isTrue();
        assertThat(store.agents().get(AGENT).orElseThrow().banned()).isTrue();
        assertThat(store.agents().list("", 10)).hasSize(1);
        assertThat(store.agents().delete(AGENT)).isTrue();
        assertThat(store.agents().get(AGENT)).isEmpty();
        assertThat(store.changes().since(before, 10))
                .extracting(Change::kind)
                .containsOnly(Change.Kind.AGENT)
                .hasSize(3);
    }

    @Test
    void joinTokens_redeemOnce_andSayWhyNot() {
        Instant now = Instant.ofEpochSecond(1_800_000_000L);
        store.joinTokens().create("h1", "id1", now.plusSeconds(600), now);
        store.joinTokens().create("h2", "id2", now.plusSeconds(10), now);

        assertThat(store.joinTokens().redeem("h1", now).outcome()).isEqualTo(JoinTokenStore.Outcome.REDEEMED);
        assertThat(store.joinTokens().redeem("h1", now).outcome()).isEqualTo(JoinTokenStore.Outcome.ALREADY_USED);
        assertThat(store.joinTokens().redeem("h2", now.plusSeconds(10)).outcome())
                .isEqualTo(JoinTokenStore.Outcome.EXPIRED);
        assertThat(store.joinTokens().redeem("nope", now).outcome()).isEqualTo(JoinTokenStore.Outcome.UNKNOWN);
    }

    @Test
    void bundle_journalsAuthoritiesInTheirSlots_andBumpsItsSequenceOnEveryChange() {
        var root = TestPki.root(TrustDomain.parse("example.org"));
        var next = TestPki.root(TrustDomain.parse("example.org"));
        var upstream = TestPki.root(TrustDomain.parse("example.org"));
        Instant published = Instant.parse("2026-01-01T00:00:00Z");
        StoredAuthority first =
                new StoredAuthority("k1", root.certificate(), List.of(), AuthorityStatus.ACTIVE, false, published);
        store.bundle().add(first);
        long seq = store.bundle().sequence();
        StoredAuthority second = new StoredAuthority(
                "k2", next.certificate(), List.of(upstream.certificate()), AuthorityStatus.PREPARED, false, published);
        store.bundle().add(second);
        assertThat(store.bundle().sequence()).isGreaterThan(seq);

        seq = store.bundle().sequence();
        store.bundle()
                .update(List.of(
                        first.withStatus(AuthorityStatus.OLD).asTainted(), second.withStatus(AuthorityStatus.ACTIVE)));
        assertThat(store.bundle().sequence()).isGreaterThan(seq);
        assertThat(store.bundle().authorities())
                .satisfiesExactly(
                        a -> {
                            assertThat(a.keyId()).isEqualTo("k1");
                            assertThat(a.certificate()).isEqualTo(root.certificate());
                            assertThat(a.status()).isEqualTo(AuthorityStatus.OLD);
                            assertThat(a.tainted()).isTrue();
                            assertThat(a.publishedAt()).isEqualTo(published);
                        },
                        a -> {
                            assertThat(a.status()).isEqualTo(AuthorityStatus.ACTIVE);
                            assertThat(a.upstreamChain()).containsExactly(upstream.certificate());
                        });

        seq = store.bundle().sequence();
        store.bundle().remove("k1");
        assertThat(store.bundle().authorities())
                .extracting(StoredAuthority::keyId)
                .containsExactly("k2");
        assertThat(store.bundle().sequence()).isGreaterThan(seq);
    }

    @Test
    void upstreamRoots_keepTheirTaintAndRevocation() {
        var root = TestPki.root(TrustDomain.parse("example.org"));
        store.bundle().putUpstreamRoot(new UpstreamRoot(root.certificate(), false, false));
        long seq = store.bundle().sequence();
        store.bundle().putUpstreamRoot(new UpstreamRoot(root.certificate(), true, true));

        assertThat(store.bundle().upstreamRoots()).singleElement().satisfies(r -> {
            assertThat(r.certificate()).isEqualTo(root.certificate());
            assertThat(r.tainted()).isTrue();
            assertThat(r.revoked()).isTrue();
        });
        assertThat(store.bundle().sequence()).isGreaterThan(seq);
    }

    @Test
    void jwtAuthorities_roundTripWithTheirPublicKeysAndSlots() {
        var ec = Keys.generateEcP256().getPublic();
        Instant notAfter = Instant.parse("2030-01-01T00:00:00Z");
        Instant published = Instant.parse("2029-01-01T00:00:00Z");
        long seq = store.bundle().sequence();
        StoredJwtAuthority key =
                new StoredJwtAuthority("jwt-k1", "kid-1", ec, notAfter, AuthorityStatus.PREPARED, false, published);
        store.bundle().addJwtAuthority(key);
        assertThat(store.bundle().sequence()).isGreaterThan(seq);
        store.bundle().updateJwtAuthorities(List.of(key.withStatus(AuthorityStatus.ACTIVE)));

        assertThat(store.bundle().jwtAuthorities()).singleElement().satisfies(a -> {
            assertThat(a.kid()).isEqualTo("kid-1");
            assertThat(a.keyId()).isEqualTo("jwt-k1");
            assertThat(a.publicKey().getEncoded()).isEqualTo(ec.getEncoded());
            assertThat(a.notAfter()).isEqualTo(notAfter);
            assertThat(a.status()).isEqualTo(AuthorityStatus.ACTIVE);
            assertThat(a.publishedAt()).isEqualTo(published);
        });
        store.bundle().removeJwtAuthority("jwt-k1");
        assertThat(store.bundle().jwtAuthorities()).isEmpty();
    }

    @Test
    void federatedBundles_putReplaceDelete_eachWithARevision() {
        TrustDomain partner = TrustDomain.parse("partner.org");
        var first = new SpiffeBundle(
                partner, List.of(TestPki.root(partner).certificate()), List.of(), 1, Duration.ofMinutes(5));
        var second = new SpiffeBundle(
                partner,
                List.of(TestPki.root(partner).certificate()),
                List.of(new JwtAuthority("kid-p", Keys.generateEcP256().getPublic())),
                2,
                Duration.ofMinutes(1));

        long r0 = store.changes().currentRevision();
        store.federatedBundles().put(first);
        long r1 = store.changes().currentRevision();
        store.federatedBundles().put(second);
        long r2 = store.changes().currentRevision();
        assertThat(r1).isGreaterThan(r0);
        assertThat(r2).isGreaterThan(r1);
        var stored = store.federatedBundles().get(partner).orElseThrow();
        assertThat(stored.x509Authorities()).isEqualTo(second.x509Authorities());
        assertThat(stored.jwtAuthorities()).extracting(JwtAuthority::keyId).containsExactly("kid-p");
        assertThat(store.federatedBundles().list()).hasSize(1);
        assertThat(store.federatedBundles().count()).isEqualTo(1);

        assertThat(store.federatedBundles().delete(partner)).isTrue();
        assertThat(store.changes().currentRevision()).isGreaterThan(r2);
        assertThat(store.federatedBundles().get(partner)).isEmpty();
        long afterDelete = store.changes().currentRevision();
        assertThat(store.federatedBundles().delete(partner)).isFalse();
        assertThat(store.changes().currentRevision()).isEqualTo(afterDelete);
    }

    @Test
    void audit_chainsAfterTheNewestRow_andReadsInOrder() {
        List<AuditRecord> first = store.audit().append(List.of(timed("x", 10), timed("y", 11)));
        List<AuditRecord> second = store.audit().append(List.of(timed("z", 12)));

        assertThat(first).extracting(AuditRecord::seq).containsExactly(1L, 2L);
        assertThat(second.get(0).prevHash()).isEqualTo(first.get(1).hash());
        assertThat(store.audit().last().orElseThrow().seq()).isEqualTo(3);
        List<AuditRecord> stored = store.audit().read(0, 10);
        assertThat(stored).extracting(AuditRecord::action).containsExactly("x", "y", "z");
        assertThat(AuditChain.verify(null, stored)).isNull();
    }

    private static TimedAuditEvent timed(String action, long atMillis) {
        return new TimedAuditEvent(new AuditEvent("a", action, "s", "d"), atMillis);
    }

    @Test
    void notifier_firesAfterCommitWithTheNewRevision() throws Exception {
        AtomicLong seen = new AtomicLong();
        try (AutoCloseable sub = store.notifier().subscribe(seen::set)) {
            RegistrationEntry e = store.entries().create(draft(WEB, AGENT, "unix:uid:7"));
            assertThat(seen.get()).isEqualTo(e.revision());
        }
    }

    @Test
    void pruningTheChangeLog_keepsTheNewestChange_andLeavesAGapThatReadersSee() {
        long before = store.changes().currentRevision();
        store.entries().create(draft(WEB, AGENT, "unix:uid:1"));
        RegistrationEntry newest =
                store.entries().create(draft(SpiffeId.parse("spiffe://example.org/api"), AGENT, "unix:uid:2"));

        assertThat(store.pruneChanges(Instant.now().minusSeconds(3600))).isZero();
        assertThat(store.pruneChanges(Instant.now().plusSeconds(60))).isEqualTo(newest.revision() - 1);
        assertThat(store.changes().currentRevision()).isEqualTo(newest.revision());
        assertThat(store.changes().since(before, 10))
                .extracting(Change::revision)
                .containsExactly(newest.revision());
    }
}
