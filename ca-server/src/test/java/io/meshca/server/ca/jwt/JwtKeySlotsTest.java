package io.meshca.server.ca.jwt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshca.common.testing.FakeClock;
import io.meshca.server.ca.keys.MemoryKeyManager;
import io.meshca.server.model.StoredJwtAuthority;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class JwtKeySlotsTest {

    private final FakeClock clock = new FakeClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final MemoryKeyManager keys = new MemoryKeyManager();
    private final InMemoryBundleStore store = new InMemoryBundleStore();

    private JwtKeySlots slots() {
        return new JwtKeySlots(keys, store, JwtKeyType.ES256, Duration.ofHours(24), clock);
    }

    @Test
    void initialize_createsAndPublishesAKeyWithAKid() {
        JwtKeySlots slots = slots();
        slots.initialize();

        JwtSlot current = slots.current();
        assertThat(current.kid()).hasSize(32).matches("[A-Za-z0-9_-]{32}");
        assertThat(store.jwtAuthorities()).containsExactly(current.authority());
        assertThat(current.authority().notAfter()).isEqualTo(clock.instant().plus(Duration.ofHours(24)));
        assertThat(current.key().publicKey()).isEqualTo(current.authority().publicKey());
        assertThat(store.sequence()).isEqualTo(1);
    }

    @Test
    void restart_resumesTheStoredKey() {
        JwtKeySlots first = slots();
        first.initialize();
        clock.advance(Duration.ofHours(1));

        JwtKeySlots second = slots();
        second.initialize();

        assertThat(second.current().kid()).isEqualTo(first.current().kid());
        assertThat(store.jwtAuthorities()).hasSize(1);
    }

    @Test
    void restart_resumesTheActiveKeyCloseToExpiry_butNotOneWhosePrivateKeyIsGone() {
        JwtKeySlots first = slots();
        first.initialize();
        clock.advance(Duration.ofHours(24).minusMinutes(5));

        // the journal decides, not a margin: rotation is the rotator's job, and a key nobody has yet
        // would lock validators out
        JwtKeySlots second = slots();
        second.initialize();
        assertThat(second.current().kid()).isEqualTo(first.current().kid());

        JwtKeySlots third =
                new JwtKeySlots(new MemoryKeyManager(), store, JwtKeyType.ES256, Duration.ofHours(24), clock);
        third.initialize();
        assertThat(third.current().kid()).isNotEqualTo(second.current().kid());
    }

    @Test
    void restart_keepsAPreparedKeyPrepared() {
        JwtKeySlots first = slots();
        first.initialize();
        String prepared = first.prepareNext().kid();

        JwtKeySlots second = slots();
        second.initialize();

        assertThat(second.current().kid()).isEqualTo(first.current().kid());
        assertThat(second.next()).map(JwtSlot::kid).contains(prepared);
    }

    @Test
    void taintAndRevoke_followTheRules_andRevokeRemovesTheKey() {
        JwtKeySlots slots = slots();
        slots.initialize();
        String first = slots.current().kid();
        assertThatThrownBy(() -> slots.taint(first))
                .hasMessageContaining("only an OLD JWT authority can be tainted")
                .hasMessageContaining("is ACTIVE");
        String second = slots.prepareNext().kid();
        assertThatThrownBy(() -> slots.activate(first))
                .hasMessageContaining("only the prepared JWT authority can be activated");
        slots.activate(second);
        assertThatThrownBy(() -> slots.revoke(first)).hasMessageContaining("is not tainted; taint it first");

        assertThat(slots.taint(first).tainted()).isTrue();
        slots.revoke(first);

        assertThat(store.jwtAuthorities()).extracting(StoredJwtAuthority::kid).containsExactly(second);
    }

    @Test
    void restart_withAnotherKeyType_createsAKeyOfThatType() {
        slots().initialize();

        JwtKeySlots rsa = new JwtKeySlots(keys, store, JwtKeyType.RS256, Duration.ofHours(24), clock);
        rsa.initialize();

        assertThat(rsa.current().key().publicKey().getAlgorithm()).isEqualTo("RSA");
    }

    @Test
    void prepareNext_publishesBeforeUse_andActivateSwitches() {
        JwtKeySlots slots = slots();
        slots.initialize();
        String first = slots.current().kid();

        JwtSlot next = slots.prepareNext();

        assertThat(slots.current().kid()).isEqualTo(first);
        assertThat(store.jwtAuthorities()).extracting(StoredJwtAuthority::kid).containsExactly(first, next.kid());
        assertThat(store.sequence()).isEqualTo(2);

        slots.activatePrepared();
        assertThat(slots.current().kid()).isEqualTo(next.kid());
        assertThat(slots.next()).isEmpty();
        assertThat(store.jwtAuthorities()).hasSize(2);
    }

    @Test
    void activateWithoutPrepare_fails() {
        JwtKeySlots slots = slots();
        slots.initialize();

        assertThatThrownBy(slots::activatePrepared)
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("no JWT signing key is prepared");
    }

    @Test
    void keyType_parsesConfigValues_andNamesABadOne() {
        assertThat(JwtKeyType.parse("es256")).isEqualTo(JwtKeyType.ES256);
        assertThat(JwtKeyType.parse("RS256")).isEqualTo(JwtKeyType.RS256);
        assertThatThrownBy(() -> JwtKeyType.parse("HS256")).hasMessage(JwtKeyType.UNKNOWN + "HS256");
    }
}
