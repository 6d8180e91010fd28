package io.meshca.agent.attestation.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshca.agent.cache.TrustBundle;
import io.meshca.agent.config.AgentConfig;
import io.meshca.agent.identity.AgentCredentials;
import io.meshca.agent.identity.AgentSvid;
import io.meshca.agent.storage.AgentSvidStore;
import io.meshca.common.error.FailedPreconditionException;
import io.meshca.common.error.InvalidArgumentException;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.common.spiffe.TrustDomain;
import io.meshca.common.testing.TestPki;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The start-up decisions that need no server: reuse the stored SVID, or say clearly what is missing. */
class AgentIdentityBootstrapTest {

    private static final TrustDomain DOMAIN = TrustDomain.parse("example.org");
    private static final TestPki.Authority CA = TestPki.root(DOMAIN);
    private static final SpiffeId AGENT_ID = SpiffeId.parse("spiffe://example.org/meshca/agent/join_token/t1");
    private static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    @TempDir
    Path dataDir;

    private AgentConfig.Builder config() {
        // port 1: nothing listens there, so any attempt to reach a server would fail loudly
        return AgentConfig.builder().serverPort(1).dataDir(dataDir);
    }

    private AgentSvidStore storeSvidExpiringAt(Instant notAfter) {
        AgentSvidStore store = new AgentSvidStore(dataDir, DOMAIN);
        TestPki.Leaf leaf = CA.leaf(AGENT_ID, notAfter.minus(Duration.ofHours(1)), notAfter);
        store.save(
                new AgentSvid(leaf.chain(), leaf.keyPair().getPrivate()),
                new TrustBundle(DOMAIN, List.of(CA.certificate()), 0));
        return store;
    }

    /** The agent's default node attestor, join_token, with the token of {@code config}. */
    private static AgentCredentials obtain(AgentConfig config, AgentSvidStore store, Clock clock, Duration timeout) {
        return AgentIdentityBootstrap.obtain(
                config, new JoinTokenAttestor(config.joinToken().orElse(null)), store, clock, timeout);
    }

    @Test
    void validStoredSvid_isReusedWithoutAToken() {
        AgentSvidStore store = storeSvidExpiringAt(NOW.plusSeconds(600));

        AgentCredentials credentials = obtain(config().build(), store, CLOCK, Duration.ofSeconds(1));

        assertThat(credentials.svid().spiffeId()).isEqualTo(AGENT_ID);
        assertThat(credentials.bundle().x509Authorities()).containsExactly(CA.certificate());
    }

    @Test
    void expiredStoredSvidWithoutToken_saysANewTokenIsNeeded() {
        AgentSvidStore store = storeSvidExpiringAt(NOW.minusSeconds(1));

        assertThatThrownBy(() -> obtain(config().build(), store, CLOCK, Duration.ofSeconds(1)))
                .isInstanceOf(FailedPreconditionException.class)
                .hasMessageContaining("the stored agent SVID " + AGENT_ID + " expired at")
                .hasMessageContaining("a new join token is needed");
    }

    @Test
    void tokenWithoutTrustBundle_isRefusedBeforeContactingTheServer() {
        AgentSvidStore store = new AgentSvidStore(dataDir, DOMAIN);

        assertThatThrownBy(() -> obtain(config().joinToken("t").build(), store, CLOCK, Duration.ofSeconds(1)))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("-trustBundle");
    }
}
