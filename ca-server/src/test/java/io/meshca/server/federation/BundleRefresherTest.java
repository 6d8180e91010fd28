package io.meshca.server.federation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshca.common.bundle.SpiffeBundle;
import io.meshca.common.error.UnavailableException;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.common.spiffe.TrustDomain;
import io.meshca.common.testing.TestPki;
import io.meshca.server.datastore.DataStore;
import io.meshca.server.model.FederationRelationship;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class BundleRefresherTest {

    private static final TrustDomain OWN = TrustDomain.parse("a.test");
    private static final TrustDomain B = TrustDomain.parse("b.test");
    private static final FederationRelationship REL = new FederationRelationship(
            B, URI.create("https://b.test/"), FederationRelationship.Profile.HTTPS_WEB, null, null);
    private static final BundleRefresher.RefreshPolicy POLICY =
            new BundleRefresher.RefreshPolicy(Duration.ofSeconds(5), Duration.ofMinutes(5));

    @TempDir
    Path dir;

    private DataStore store;
    // never runs anything in these tests: refreshNow is called directly, so nothing depends on timing
    private final ScheduledExecutorService idle = Executors.newSingleThreadScheduledExecutor();

    @BeforeEach
    void open() {
        store = DataStore.sqlite(dir, Clock.systemUTC());
    }

    @AfterEach
    void close() {
        idle.shutdownNow();
        store.close();
    }

    static Stream<Arguments> hints() {
        return Stream.of(
                Arguments.of(Duration.ZERO, Duration.ofMinutes(5)), // no hint: the default
                Arguments.of(Duration.ofSeconds(1), Duration.ofSeconds(5)), // below the minimum
                Arguments.of(Duration.ofSeconds(90), Duration.ofSeconds(90)), // honoured as given
                Arguments.of(Duration.ofDays(28), Duration.ofHours(1))); // capped
    }

    @ParameterizedTest
    @MethodSource("hints")
    void nextRefresh_followsTheHint_withinBounds(Duration hint, Duration expected) {
        assertThat(POLICY.next(hint)).isEqualTo(expected);
    }

    @Test
    void aFailingEndpoint_keepsTheLastGoodBundle() {
        FederatedBundles bundles = new FederatedBundles(OWN, store.federatedBundles());
        SpiffeBundle good =
                new SpiffeBundle(B, List.of(TestPki.root(B).certificate()), List.of(), 3, Duration.ofSeconds(60));
        AtomicReference<SpiffeBundle> endpoint = new AtomicReference<>(good);
        store.federation().put(REL);
        BundleRefresher refresher = new BundleRefresher(
                store.federation(),
                bundles,
                rel -> {
                    if (endpoint.get() == null) {
                        throw new UnavailableException("endpoint down");
                    }
                    return endpoint.get();
                },
                idle,
                POLICY);

        assertThat(refresher.refreshNow(REL)).isEqualTo(good);
        endpoint.set(null);
        assertThatThrownBy(() -> refresher.refreshNow(REL)).hasMessageContaining("endpoint down");

        assertThat(bundles.get(B)).contains(good);
        refresher.close();
    }

    @Test
    void anUnchangedBundle_isNotWrittenAgain() {
        FederatedBundles bundles = new FederatedBundles(OWN, store.federatedBundles());
        SpiffeBundle good =
                new SpiffeBundle(B, List.of(TestPki.root(B).certificate()), List.of(), 3, Duration.ofSeconds(60));
        bundles.set(good);
        long revision = store.changes().currentRevision();

        bundles.set(good);

        assertThat(store.changes().currentRevision()).isEqualTo(revision);
    }

    @Test
    void theOwnTrustDomain_isNeverAFederatedBundle() {
        FederatedBundles bundles = new FederatedBundles(OWN, store.federatedBundles());

        assertThatThrownBy(() -> bundles.set(
                        new SpiffeBundle(OWN, List.of(TestPki.root(OWN).certificate()), List.of(), 1, Duration.ZERO)))
                .hasMessageContaining("own");
        assertThat(store.federatedBundles().list()).isEmpty();
    }

    @Test
    void federationStore_roundTrips_andBundleChangesTakeRevisions() {
        FederationRelationship spiffe = new FederationRelationship(
                TrustDomain.parse("c.test"),
                URI.create("https://c:8443/"),
                FederationRelationship.Profile.HTTPS_SPIFFE,
                SpiffeId.parse("spiffe://c.test/meshca/server"),
                null);
        store.federation().put(REL);
        store.federation().put(spiffe);

        assertThat(store.federation().list()).containsExactly(REL, spiffe);
        assertThat(store.federation().delete(B)).isTrue();
        assertThat(store.federation().get(B)).isEmpty();

        long before = store.changes().currentRevision();
        SpiffeBundle bundle = new SpiffeBundle(B, List.of(TestPki.root(B).certificate()), List.of(), 1, Duration.ZERO);
        store.federatedBundles().put(bundle);
        assertThat(store.federatedBundles().delete(B)).isTrue();
        assertThat(store.changes().since(before, 10))
                .extracting(c -> c.kind() + ":" + c.objectId() + ":" + c.op())
                .containsExactly("FEDERATED_BUNDLE:b.test:UPSERT", "FEDERATED_BUNDLE:b.test:DELETE");
        assertThat(store.federatedBundles().delete(B)).isFalse();
    }
}
