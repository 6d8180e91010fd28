package io.meshca.server.ca;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshca.common.error.FailedPreconditionException;
import io.meshca.common.pki.Keys;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.common.spiffe.TrustDomain;
import io.meshca.common.testing.FakeClock;
import io.meshca.server.ca.keys.MemoryKeyManager;
import io.meshca.server.ca.signing.SvidRequest;
import io.meshca.server.ca.signing.X509SvidSigner;
import io.meshca.server.ca.upstream.SelfSignedAuthority;
import io.meshca.server.datastore.DataStore;
import io.meshca.server.model.AuthorityStatus;
import io.meshca.server.model.StoredAuthority;
import java.nio.file.Path;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The X.509 CA slots over several lifetimes, across restarts, and under the operator's rules. */
class X509CaSlotsTest {

    private static final TrustDomain TD = TrustDomain.parse("example.org");
    private static final SpiffeId WORKLOAD = TD.withPath("/ns/payments");
    private static final Duration CA_TTL = Duration.ofHours(1);

    @TempDir
    Path dir;

    private final FakeClock clock = new FakeClock(Instant.parse("2026-03-01T12:00:00Z"));
    private final MemoryKeyManager keys = new MemoryKeyManager();
    private DataStore store;

    @BeforeEach
    void setUp() {
        store = DataStore.sqlite(dir, clock);
    }

    @AfterEach
    void tearDown() {
        store.close();
    }

    private CaManager start() {
        CaManager ca = new CaManager(TD, keys, new SelfSignedAuthority(clock), store.bundle(), CA_TTL, clock);
        ca.initialize();
        return ca;
    }

    @Test
    void overSeveralLifetimes_everySvidVerifiesAgainstTheBundleServedAtTheSameMoment() throws Exception {
        CaManager ca = start();
        X509SvidSigner signer = new X509SvidSigner(ca::activeAuthority, clock);
        Set<String> activeIds = new HashSet<>();
        List<X509Certificate> bundleBefore = ca.x509Authorities();
        for (int minute = 0; minute < 5 * 60; minute++) {
            AuthorityRotator.apply(ca.x509Slots(), clock.instant());
            ca.refreshBundle();
            X509Certificate issuer = ca.activeAuthority().certificate();
            if (activeIds.add(ca.x509Slots().activeStored().authorityId()) && minute > 0) {
                // published before it signs: the new CA was in the bundle of the tick before
                assertThat(bundleBefore).contains(issuer);
            }
            List<X509Certificate> chain = signer.sign(
                    new SvidRequest(WORKLOAD, Keys.generateEcP256().getPublic(), List.of(), Duration.ofMinutes(10)));
            assertThat(chain.get(0).getNotAfter()).isBeforeOrEqualTo(issuer.getNotAfter());
            verify(chain, ca.x509Authorities(), clock.instant());
            bundleBefore = ca.x509Authorities();
            clock.advance(Duration.ofMinutes(1));
        }
        assertThat(activeIds).hasSizeGreaterThanOrEqualTo(5);
        // the OLD ones that expired were dropped from the journal, not kept forever
        assertThat(store.bundle().authorities()).hasSizeLessThanOrEqualTo(3);
    }

    @Test
    void theScheduleIsHalfAndFiveSixths() {
        CaManager ca = start();
        String first = ca.x509Slots().activeStored().authorityId();
        X509Certificate firstCert = ca.activeAuthority().certificate();

        clock.advance(Duration.ofMinutes(29));
        AuthorityRotator.apply(ca.x509Slots(), clock.instant());
        assertThat(ca.x509Slots().preparedStored()).isEmpty();
        clock.advance(Duration.ofMinutes(1));
        AuthorityRotator.apply(ca.x509Slots(), clock.instant());
        String prepared = ca.x509Slots().preparedStored().orElseThrow().authorityId();
        assertThat(ca.x509Authorities()).hasSize(2);

        clock.advance(Duration.ofMinutes(19));
        AuthorityRotator.apply(ca.x509Slots(), clock.instant());
        assertThat(ca.x509Slots().activeStored().authorityId()).isEqualTo(first);
        clock.advance(Duration.ofMinutes(1));
        AuthorityRotator.apply(ca.x509Slots(), clock.instant());
        assertThat(ca.x509Slots().activeStored().authorityId()).isEqualTo(prepared);
        assertThat(statusOf(first)).isEqualTo(AuthorityStatus.OLD);
        assertThat(ca.x509Authorities()).hasSize(2);

        // the OLD one leaves the bundle when it expires (nothing it signed outlives it)
        clock.advance(Duration.ofMinutes(9));
        ca.refreshBundle();
        assertThat(ca.x509Authorities()).contains(firstCert);
        clock.advance(Duration.ofMinutes(1));
        AuthorityRotator.apply(ca.x509Slots(), clock.instant());
        ca.refreshBundle();
        assertThat(ca.x509Authorities())
                .doesNotContain(firstCert)
                .contains(ca.activeAuthority().certificate());
        assertThat(store.bundle().authorities())
                .extracting(StoredAuthority::authorityId)
                .doesNotContain(first);
    }

    @Test
    void aRestart_resumesEachPhaseExactly() {
        CaManager ca = start();
        String first = ca.x509Slots().activeStored().authorityId();
        assertThat(start().x509Slots().activeStored().authorityId()).isEqualTo(first);

        String prepared = ca.x509Slots().prepareNow().authorityId();
        CaManager afterPrepare = start();
        assertThat(afterPrepare.x509Slots().activeStored().authorityId()).isEqualTo(first);
        assertThat(afterPrepare.x509Slots().preparedStored().orElseThrow().authorityId())
                .isEqualTo(prepared);

        afterPrepare.x509Slots().activate(prepared);
        CaManager afterActivate = start();
        assertThat(afterActivate.x509Slots().activeStored().authorityId()).isEqualTo(prepared);
        assertThat(afterActivate.x509Slots().preparedStored()).isEmpty();
        assertThat(statusOf(first)).isEqualTo(AuthorityStatus.OLD);

        afterActivate.x509Slots().taint(first);
        CaManager afterTaint = start();
        assertThat(afterTaint.taintedX509AuthorityIds()).containsExactly(first);
        assertThat(afterTaint.x509Authorities()).hasSize(2);

        afterTaint.x509Slots().revoke(first);
        CaManager afterRevoke = start();
        assertThat(afterRevoke.x509Authorities())
                .singleElement()
                .isEqualTo(afterRevoke.activeAuthority().certificate());
        assertThat(afterRevoke.taintedX509AuthorityIds()).isEmpty();
    }

    @Test
    void aRestartWithMinutesOfCaLifeLeft_keepsThePublishedCa() {
        CaManager ca = start();
        String first = ca.x509Slots().activeStored().authorityId();
        clock.advance(CA_TTL.minusMinutes(3));

        CaManager restarted = start();

        // no new unpublished CA: the same one, and the schedule activates the next one at once
        assertThat(restarted.x509Slots().activeStored().authorityId()).isEqualTo(first);
        AuthorityRotator.apply(restarted.x509Slots(), clock.instant());
        assertThat(restarted.x509Slots().preparedStored()).isPresent();
        AuthorityRotator.apply(restarted.x509Slots(), clock.instant());
        assertThat(restarted.x509Slots().activeStored().authorityId()).isNotEqualTo(first);
        assertThat(restarted.x509Authorities()).hasSize(2);
    }

    @Test
    void aServerDownPastEveryCa_createsANewOne() {
        start();
        clock.advance(CA_TTL.plusMinutes(1));

        CaManager restarted = start();

        assertThat(restarted.activeAuthority().certificate().getNotAfter().toInstant())
                .isAfter(clock.instant());
        assertThat(restarted.x509Authorities())
                .singleElement()
                .isEqualTo(restarted.activeAuthority().certificate());
    }

    @Test
    void theOperatorsRules_refuseAndChangeNothing() {
        CaManager ca = start();
        X509CaSlots slots = ca.x509Slots();
        String active = slots.activeStored().authorityId();

        assertRefused(() -> slots.activate(active), "no X.509 authority is prepared; run prepare first");
        assertRefused(
                () -> slots.taint(active), "only an OLD X.509 authority can be tainted: " + active + " is ACTIVE");
        assertRefused(() -> slots.revoke(active), "only a tainted X.509 authority can be revoked");
        String prepared = slots.prepareNow().authorityId();
        assertRefused(slots::prepareNow, "X.509 authority " + prepared + " is already prepared");
        assertRefused(() -> slots.activate(active), "only the prepared X.509 authority can be activated");
        assertRefused(() -> slots.taint(prepared), "is PREPARED");
        assertThatThrownBy(() -> slots.taint("00ff")).hasMessageContaining("no X.509 authority 00ff in the bundle");

        slots.activate(prepared);
        slots.taint(active);
        assertRefused(() -> slots.taint(active), "already tainted");
    }

    private void assertRefused(Runnable action, String message) {
        long sequence = store.bundle().sequence();
        List<StoredAuthority> before = store.bundle().authorities();
        assertThatThrownBy(action::run)
                .isInstanceOf(FailedPreconditionException.class)
                .hasMessageContaining(message);
        assertThat(store.bundle().sequence()).isEqualTo(sequence);
        assertThat(store.bundle().authorities()).isEqualTo(before);
    }

    private AuthorityStatus statusOf(String authorityId) {
        return store.bundle().authorities().stream()
                .filter(a -> a.authorityId().equals(authorityId))
                .findFirst()
                .orElseThrow()
                .status();
    }

    static void verify(List<X509Certificate> chain, List<X509Certificate> bundle, Instant at) throws Exception {
        Set<TrustAnchor> anchors =
                bundle.stream().map(c -> new TrustAnchor(c, null)).collect(Collectors.toSet());
        PKIXParameters params = new PKIXParameters(anchors);
        params.setRevocationEnabled(false);
        params.setDate(Date.from(at));
        CertPathValidator.getInstance("PKIX")
                .validate(CertificateFactory.getInstance("X.509").generateCertPath(chain), params);
    }
}
