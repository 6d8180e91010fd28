package io.meshca.server.ca;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshca.common.spiffe.TrustDomain;
import io.meshca.common.testing.FakeClock;
import io.meshca.server.ca.keys.MemoryKeyManager;
import io.meshca.server.ca.upstream.SelfSignedAuthority;
import io.meshca.server.ca.upstream.UpstreamAuthority;
import io.meshca.server.datastore.DataStore;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CA manager takes its CA certificate from the upstream authority, and only for a new CA key. */
class CaManagerTest {

    private static final TrustDomain TD = TrustDomain.parse("example.org");
    private static final Duration CA_TTL = Duration.ofHours(24);

    @TempDir
    Path dir;

    private final FakeClock clock = new FakeClock(Instant.parse("2026-03-01T12:00:00Z"));
    private final MemoryKeyManager keys = new MemoryKeyManager();
    private final List<Duration> asked = new ArrayList<>();
    private DataStore store;

    @BeforeEach
    void setUp() {
        store = DataStore.sqlite(dir, clock);
    }

    @AfterEach
    void tearDown() {
        store.close();
    }

    /** The {@code none} authority, recording each request. */
    private UpstreamAuthority recording(UpstreamAuthority delegate) {
        return (trustDomain, key, ttl) -> {
            assertThat(trustDomain).isEqualTo(TD);
            asked.add(ttl);
            return delegate.mintX509Ca(trustDomain, key, ttl);
        };
    }

    @Test
    void aNewCa_isCertifiedByTheUpstreamAuthority_forTheCaTtl() {
        CaManager ca =
                new CaManager(TD, keys, recording(new SelfSignedAuthority(clock)), store.bundle(), CA_TTL, clock);

        ca.initialize();

        assertThat(asked).containsExactly(CA_TTL);
        assertThat(ca.activeAuthority().certificate().getPublicKey())
                .isEqualTo(ca.activeAuthority().key().publicKey());
        assertThat(ca.x509Authorities()).containsExactly(ca.activeAuthority().certificate());
    }

    @Test
    void aRestart_resumesTheStoredCa_withoutAskingAgain() {
        CaManager first =
                new CaManager(TD, keys, recording(new SelfSignedAuthority(clock)), store.bundle(), CA_TTL, clock);
        first.initialize();

        CaManager second =
                new CaManager(TD, keys, recording(new SelfSignedAuthority(clock)), store.bundle(), CA_TTL, clock);
        second.initialize();

        assertThat(asked).hasSize(1);
        assertThat(second.activeAuthority().certificate())
                .isEqualTo(first.activeAuthority().certificate());
    }

    @Test
    void aTaint_tellsTheTaintListenersOnce_evenWhenAWatchRereadTheJournalFirst() {
        CaManager ca = new CaManager(TD, keys, new SelfSignedAuthority(clock), store.bundle(), CA_TTL, clock);
        ca.initialize();
        int[] told = {0};
        ca.onTaint(() -> told[0]++);
        // as an agent's watch session does when the journal changes, here before the tainting thread reads it
        store.notifier().subscribe(revision -> ca.refreshBundle());
        String old = ca.x509Slots().activeStored().authorityId();
        ca.x509Slots().activate(ca.x509Slots().prepareNow().authorityId());

        ca.x509Slots().taint(old);

        assertThat(ca.taintedX509AuthorityIds()).containsExactly(old);
        assertThat(told[0]).isEqualTo(1);
        ca.refreshBundle();
        ca.x509Slots().revoke(old);
        assertThat(told[0]).isEqualTo(1);
    }
}
