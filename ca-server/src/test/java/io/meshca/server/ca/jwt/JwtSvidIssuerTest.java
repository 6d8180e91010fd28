package io.meshca.server.ca.jwt;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jwt.SignedJWT;
import io.meshca.common.spiffe.JwtAudiences;
import io.meshca.common.spiffe.SelectorSet;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.common.testing.FakeClock;
import io.meshca.server.audit.AuditEvent;
import io.meshca.server.audit.AuditLog;
import io.meshca.server.ca.keys.MemoryKeyManager;
import io.meshca.server.model.RegistrationEntry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class JwtSvidIssuerTest {

    private static final SpiffeId AGENT = SpiffeId.parse("spiffe://example.org/meshca/agent/join_token/t1");

    private final FakeClock clock = new FakeClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final List<AuditEvent> audited = new CopyOnWriteArrayList<>();
    private final AuditLog audit = new AuditLog() {
        @Override
        public void record(AuditEvent event) {
            audited.add(event);
        }

        @Override
        public void flush() {}
    };
    private final JwtSvidIssuer issuer;

    JwtSvidIssuerTest() {
        JwtKeySlots slots = new JwtKeySlots(
                new MemoryKeyManager(), new InMemoryBundleStore(), JwtKeyType.ES256, Duration.ofHours(24), clock);
        slots.initialize();
        issuer = new JwtSvidIssuer(new JwtSvidMinter(slots::current, clock), audit, JwtSvidIssuer.DEFAULT_TTL);
    }

    private static RegistrationEntry entry(Duration jwtTtl) {
        RegistrationEntry draft =
                RegistrationEntry.draft(SpiffeId.parse("spiffe://example.org/orders"), AGENT, SelectorSet.empty());
        return new RegistrationEntry(
                "e1",
                draft.spiffeId(),
                draft.parentId(),
                draft.selectors(),
                Duration.ZERO,
                jwtTtl,
                List.of(),
                List.of(),
                "",
                false,
                false,
                null,
                1,
                Instant.EPOCH);
    }

    @Test
    void entryToken_hasTheEntrysIdentity_theDefaultTtl_andIsAuditedWithoutTheToken() throws Exception {
        MintedJwtSvid svid = issuer.issueForEntry(entry(Duration.ZERO), List.of("payments"), AGENT);

        var claims = SignedJWT.parse(svid.token()).getJWTClaimsSet();
        assertThat(claims.getSubject()).isEqualTo("spiffe://example.org/orders");
        assertThat(svid.expiresAt()).isEqualTo(clock.instant().plus(Duration.ofMinutes(5)));
        assertThat(audited).singleElement().satisfies(e -> {
            assertThat(e.actor()).isEqualTo(AGENT.toString());
            assertThat(e.action()).isEqualTo("jwtsvid.issue");
            assertThat(e.subject()).isEqualTo("spiffe://example.org/orders");
            assertThat(e.detail())
                    .contains("entry=e1", "kid=" + svid.kid(), "aud=1[payments]")
                    .doesNotContain(svid.token());
        });
    }

    @Test
    void manyLongAudiences_areAuditedAsACountAndAFewCutValues() {
        List<String> audience = new ArrayList<>();
        for (int i = 0; i < JwtAudiences.MAX_COUNT; i++) {
            audience.add(i + "-" + "a".repeat(JwtAudiences.MAX_LENGTH - 3));
        }

        issuer.issueForEntry(entry(Duration.ZERO), audience, AGENT);

        String detail = audited.get(0).detail();
        assertThat(detail)
                .contains("aud=32[0-aaa", ",1-aaa", ",2-aaa")
                .contains(",...]")
                .doesNotContain("3-aaa");
        assertThat(detail.length()).isLessThan(400);
    }

    @Test
    void entryJwtTtl_overridesTheDefault() {
        MintedJwtSvid svid = issuer.issueForEntry(entry(Duration.ofSeconds(90)), List.of("payments"), AGENT);

        assertThat(svid.expiresAt()).isEqualTo(clock.instant().plusSeconds(90));
    }

    @Test
    void operatorToken_usesTheRequestedTtl_orTheDefault() {
        SpiffeId id = SpiffeId.parse("spiffe://example.org/batch");

        assertThat(issuer.issueForOperator(id, List.of("x"), Duration.ofSeconds(30), "admin:local")
                        .expiresAt())
                .isEqualTo(clock.instant().plusSeconds(30));
        assertThat(issuer.issueForOperator(id, List.of("x"), Duration.ZERO, "admin:local")
                        .expiresAt())
                .isEqualTo(clock.instant().plus(JwtSvidIssuer.DEFAULT_TTL));
        assertThat(audited).extracting(AuditEvent::actor).containsOnly("admin:local");
    }
}
