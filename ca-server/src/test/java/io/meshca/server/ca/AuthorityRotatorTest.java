package io.meshca.server.ca;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshca.common.error.UnavailableException;
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
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuthorityRotatorTest {

    private static final TrustDomain TD = TrustDomain.parse("example.org");

    @TempDir
    Path dir;

    @Test
    void health_turnsNotServing_whenTheActiveCaExpires_becauseTheUpstreamCannotMintANewOne() {
        FakeClock clock = new FakeClock(Instant.parse("2026-03-01T12:00:00Z"));
        SelfSignedAuthority selfSigned = new SelfSignedAuthority(clock);
        AtomicBoolean upstreamUp = new AtomicBoolean(true);
        UpstreamAuthority flaky = (td, key, ttl) -> {
            if (!upstreamUp.get()) {
                throw new UnavailableException("upstream is down");
            }
            return selfSigned.mintX509Ca(td, key, ttl);
        };
        List<Boolean> health = new ArrayList<>();
        try (DataStore store = DataStore.sqlite(dir, clock)) {
            CaManager ca =
                    new CaManager(TD, new MemoryKeyManager(), flaky, store.bundle(), Duration.ofMinutes(10), clock);
            ca.initialize();
            AuthorityRotator rotator = new AuthorityRotator(ca, List.of(ca.x509Slots()), clock, health::add);
            rotator.tick();
            assertThat(health).containsExactly(true);

            upstreamUp.set(false);
            clock.advance(Duration.ofMinutes(6));
            assertThatThrownBy(rotator::tick).hasMessageContaining("upstream is down");
            assertThat(health).containsExactly(true, true);

            clock.advance(Duration.ofMinutes(5));
            assertThatThrownBy(rotator::tick).hasMessageContaining("upstream is down");
            assertThat(health).containsExactly(true, true, false);

            upstreamUp.set(true);
            rotator.tick();
            rotator.tick();
            assertThat(health).endsWith(true);
        }
    }

    @Test
    void checkInterval_isFrequentEnoughForAOneMinuteCa_andAtMostTenSeconds() {
        assertThat(AuthorityRotator.checkInterval(Duration.ofMinutes(1))).isEqualTo(Duration.ofMillis(500));
        assertThat(AuthorityRotator.checkInterval(Duration.ofSeconds(10))).isEqualTo(Duration.ofMillis(250));
        assertThat(AuthorityRotator.checkInterval(Duration.ofHours(24))).isEqualTo(Duration.ofSeconds(10));
    }
}
