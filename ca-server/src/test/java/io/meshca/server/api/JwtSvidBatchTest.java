package io.meshca.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jwt.SignedJWT;
import io.meshca.common.spiffe.Selector;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.common.spiffe.TrustDomain;
import io.meshca.common.testing.FakeClock;
import io.meshca.proto.server.v1.JwtSvidParams;
import io.meshca.proto.server.v1.JwtSvidResult;
import io.meshca.server.api.admission.SigningAdmission;
import io.meshca.server.ca.jwt.JwtKeySlots;
import io.meshca.server.ca.jwt.JwtKeyType;
import io.meshca.server.ca.jwt.JwtSvidIssuer;
import io.meshca.server.ca.jwt.JwtSvidMinter;
import io.meshca.server.ca.keys.MemoryKeyManager;
import io.meshca.server.model.AgentRecord;
import io.meshca.server.model.RegistrationEntry;
import io.meshca.server.registration.AgentAuthorizer;
import io.meshca.server.testing.ServerCore;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** MintJwtSvids' rules over a real (SQLite) datastore: only the agent's entries, identity from the entry. */
class JwtSvidBatchTest {

    private static final TrustDomain TD = TrustDomain.parse("example.org");
    private static final SpiffeId AGENT = TD.withPath("/meshca/agent/join_token/1");

    private final FakeClock clock = new FakeClock(Instant.parse("2026-01-01T00:00:00Z"));

    @RegisterExtension
    final ServerCore core = ServerCore.perTest(TD, clock);

    private JwtSvidBatch batch;
    private AgentRecord agent;

    @BeforeEach
    void setUp() {
        JwtKeySlots slots = new JwtKeySlots(
                new MemoryKeyManager(), core.store().bundle(), JwtKeyType.ES256, Duration.ofHours(24), clock);
        slots.initialize();
        batch = new JwtSvidBatch(
                new AgentAuthorizer(core.serverId(), core.store().entries(), clock),
                new JwtSvidIssuer(new JwtSvidMinter(slots::current, clock), core.audit(), JwtSvidIssuer.DEFAULT_TTL),
                new SigningAdmission(1000, clock));
        agent = core.agent(AGENT, Selector.parse("join_token:1"));
    }

    private RegistrationEntry entry(String path, SpiffeId parent) {
        return core.entry(path, parent);
    }

    private static JwtSvidParams params(String entryId, String... audience) {
        return JwtSvidParams.newBuilder()
                .setEntryId(entryId)
                .addAllAudience(List.of(audience))
                .build();
    }

    @Test
    void authorizedEntry_getsATokenWithTheEntrysIdentity_othersArePermissionDenied() throws Exception {
        RegistrationEntry mine = entry("/orders", AGENT);
        RegistrationEntry theirs = entry("/payments", TD.withPath("/meshca/agent/join_token/2"));

        List<JwtSvidResult> results = batch.mint(
                agent, List.of(params(mine.id(), "payments"), params(theirs.id(), "x"), params("no-such-entry", "x")));

        assertThat(results).hasSize(3);
        var claims = SignedJWT.parse(results.get(0).getToken()).getJWTClaimsSet();
        assertThat(claims.getSubject()).isEqualTo("spiffe://example.org/orders");
        assertThat(results.get(0).getExpiresAt())
                .isEqualTo(clock.instant().plus(Duration.ofMinutes(5)).getEpochSecond());
        for (JwtSvidResult denied : results.subList(1, 3)) {
            assertThat(denied.getToken()).isEmpty();
            assertThat(denied.getErrorCode()).isEqualTo("PERMISSION_DENIED");
            assertThat(denied.getErrorMessage()).isEqualTo("not authorized for entry " + denied.getEntryId());
        }
        core.audit().flush();
        assertThat(core.store().audit().read(0, 10)).anySatisfy(r -> {
            assertThat(r.action()).isEqualTo("jwtsvid.issue");
            assertThat(r.detail()).doesNotContain(results.get(0).getToken());
        });
    }

    @Test
    void missingAudience_failsThatItemOnly() {
        RegistrationEntry mine = entry("/orders", AGENT);

        List<JwtSvidResult> results = batch.mint(agent, List.of(params(mine.id()), params(mine.id(), "a")));

        assertThat(results.get(0).getErrorCode()).isEqualTo("INVALID_ARGUMENT");
        assertThat(results.get(0).getErrorMessage()).isEqualTo(JwtSvidMinter.NO_AUDIENCE);
        assertThat(results.get(1).getToken()).isNotEmpty();
    }

    @Test
    void audienceBeyondTheBounds_failsThatItemNamingTheLimit() {
        RegistrationEntry mine = entry("/orders", AGENT);

        List<JwtSvidResult> results = batch.mint(
                agent,
                List.of(
                        params(mine.id(), Collections.nCopies(33, "a").toArray(String[]::new)),
                        params(mine.id(), "x".repeat(257)),
                        params(
                                mine.id(),
                                Collections.nCopies(32, "y".repeat(256)).toArray(String[]::new))));

        assertThat(results.get(0).getErrorCode()).isEqualTo("INVALID_ARGUMENT");
        assertThat(results.get(0).getErrorMessage()).isEqualTo("at most 32 audiences per JWT-SVID, got 33");
        assertThat(results.get(1).getErrorCode()).isEqualTo("INVALID_ARGUMENT");
        assertThat(results.get(1).getErrorMessage()).isEqualTo("an audience is at most 256 characters, got one of 257");
        assertThat(results.get(2).getToken()).isNotEmpty();
    }
}
