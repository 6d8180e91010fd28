package io.meshca.server.ca.jwt;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshca.common.spiffe.TrustDomain;
import io.meshca.common.testing.FakeClock;
import io.meshca.server.ca.CaManager;
import io.meshca.server.ca.keys.DiskKeyManager;
import io.meshca.server.ca.upstream.SelfSignedAuthority;
import io.meshca.server.datastore.DataStore;
import io.meshca.server.model.StoredJwtAuthority;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The JWT keys over the real stores: SQLite for the public half, PKCS#8 files for the private one. */
class JwtKeysPersistenceTest {

    @TempDir
    Path dir;

    private final FakeClock clock = new FakeClock(Instant.parse("2026-01-01T00:00:00Z"));

    @Test
    void restartWithTheSameDataDir_keepsTheKey_andTheBundleCarriesIt() {
        String kid;
        try (DataStore store = DataStore.sqlite(dir.resolve("db"), clock)) {
            JwtKeySlots slots = new JwtKeySlots(
                    new DiskKeyManager(dir.resolve("keys")),
                    store.bundle(),
                    JwtKeyType.ES256,
                    Duration.ofHours(24),
                    clock);
            slots.initialize();
            kid = slots.current().kid();
        }
        clock.advance(Duration.ofHours(1));
        try (DataStore store = DataStore.sqlite(dir.resolve("db"), clock)) {
            long sequenceBefore = store.bundle().sequence();
            JwtKeySlots slots = new JwtKeySlots(
                    new DiskKeyManager(dir.resolve("keys")),
                    store.bundle(),
                    JwtKeyType.ES256,
                    Duration.ofHours(24),
                    clock);
            slots.initialize();
            assertThat(slots.current().kid()).isEqualTo(kid);
            assertThat(store.bundle().sequence()).isEqualTo(sequenceBefore);

            CaManager ca = new CaManager(
                    TrustDomain.parse("example.org"),
                    new DiskKeyManager(dir.resolve("keys")),
                    new SelfSignedAuthority(clock),
                    store.bundle(),
                    Duration.ofHours(24),
                    clock);
            ca.initialize();
            assertThat(ca.jwtAuthorities()).extracting(StoredJwtAuthority::kid).containsExactly(kid);
            assertThat(ca.jwtAuthorities().get(0).publicKey())
                    .isEqualTo(slots.current().key().publicKey());

            long sequence = ca.bundleSequence();
            slots.prepareNext();
            ca.refreshBundle();
            assertThat(ca.jwtAuthorities()).hasSize(2);
            assertThat(ca.bundleSequence()).isGreaterThan(sequence);
        }
    }

    @Test
    void expiredKeys_leaveTheBundle() {
        try (DataStore store = DataStore.sqlite(dir.resolve("db"), clock)) {
            JwtKeySlots slots = new JwtKeySlots(
                    new DiskKeyManager(dir.resolve("keys")),
                    store.bundle(),
                    JwtKeyType.ES256,
                    Duration.ofHours(1),
                    clock);
            slots.initialize();
            CaManager ca = new CaManager(
                    TrustDomain.parse("example.org"),
                    new DiskKeyManager(dir.resolve("keys")),
                    new SelfSignedAuthority(clock),
                    store.bundle(),
                    Duration.ofHours(24),
                    clock);
            ca.initialize();
            assertThat(ca.jwtAuthorities()).hasSize(1);

            clock.advance(Duration.ofHours(1));
            ca.refreshBundle();
            assertThat(ca.jwtAuthorities()).isEmpty();
        }
    }
}
