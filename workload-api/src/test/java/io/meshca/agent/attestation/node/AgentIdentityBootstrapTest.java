package io.meshca.agent.attestation.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.grpc.Status;
import io.meshca.agent.cache.TrustBundle;
import io.meshca.agent.config.AgentConfig;
import io.meshca.agent.identity.AgentCredentials;
import io.meshca.agent.identity.AgentSvid;
import io.meshca.agent.storage.AgentSvidStore;
import io.meshca.agent.testing.FakeServer;
import io.meshca.common.error.FailedPreconditionException;
import io.meshca.common.error.InvalidArgumentException;
import io.meshca.common.error.MeshcaException;
import io.meshca.common.pki.Pem;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.common.spiffe.TrustDomain;
import io.meshca.common.testing.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

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

    @Test
    void validStoredSvidAndAToken_resumeTheStoredIdentity_sayingTheTokenWasNotUsed() {
        AgentSvidStore store = storeSvidExpiringAt(NOW.plusSeconds(600));
        ListAppender<ILoggingEvent> logs = captureLogs();
        try {
            AgentCredentials credentials =
                    obtain(config().joinToken("secret-token").build(), store, CLOCK, Duration.ofSeconds(1));

            assertThat(credentials.svid().spiffeId()).isEqualTo(AGENT_ID);
        } finally {
            releaseLogs(logs);
        }
        assertThat(logs.list)
                .filteredOn(e -> e.getLevel() == Level.WARN)
                .extracting(ILoggingEvent::getFormattedMessage)
                .singleElement()
                .satisfies(m -> assertThat(m)
                        .contains("join token was NOT used")
                        .contains(AGENT_ID.toString())
                        .contains(NOW.plusSeconds(600).toString())
                        .contains("-rebootstrap"));
        assertThat(logs.list)
                .noneSatisfy(e -> assertThat(e.getFormattedMessage()).contains("secret-token"));
    }

    @Test
    void rebootstrap_attestsWithTheToken_andReplacesTheStoredIdentity() throws Exception {
        AgentSvidStore store = storeSvidExpiringAt(NOW.plusSeconds(600));
        SpiffeId newId = SpiffeId.parse("spiffe://example.org/meshca/agent/join_token/t2");
        try (FakeServer server = new FakeServer()) {
            server.attest = request -> FakeServer.result(
                    FakeServer.svid(
                            newId.toString(),
                            issue(newId, request.getParams().getCsr().toByteArray())),
                    FakeServer.bundle(DOMAIN.name(), 1, CA.certificate()));
            AgentConfig config = rebootstrapConfig(server);

            AgentCredentials credentials = obtain(config, store, Clock.systemUTC(), Duration.ofSeconds(20));

            assertThat(server.attestRequests).hasSize(1);
            assertThat(server.attestRequests
                            .get(0)
                            .getParams()
                            .getData()
                            .getPayload()
                            .toStringUtf8())
                    .isEqualTo("tok");
            assertThat(credentials.svid().spiffeId()).isEqualTo(newId);
            assertThat(store.load().orElseThrow().svid().spiffeId()).isEqualTo(newId);
        }
    }

    @Test
    void rebootstrapThatTheServerRefuses_keepsTheStoredIdentity() throws Exception {
        AgentSvidStore store = storeSvidExpiringAt(NOW.plusSeconds(600));
        try (FakeServer server = new FakeServer()) {
            server.attestFailure = Status.PERMISSION_DENIED.withDescription("token already used");
            AgentConfig config = rebootstrapConfig(server);

            assertThatThrownBy(() -> obtain(config, store, Clock.systemUTC(), Duration.ofSeconds(20)))
                    .isInstanceOf(MeshcaException.class);

            assertThat(store.load().orElseThrow().svid().spiffeId()).isEqualTo(AGENT_ID);
        }
    }

    @Test
    void rebootstrapWithoutAToken_isRefused() {
        AgentConfig config = config().rebootstrap(true).build();

        assertThatThrownBy(() -> AgentIdentityBootstrap.checkRebootstrap(config, new JoinTokenAttestor(null)))
                .isInstanceOf(FailedPreconditionException.class)
                .hasMessage(AgentIdentityBootstrap.REBOOTSTRAP_WITHOUT_EVIDENCE);
    }

    private AgentConfig rebootstrapConfig(FakeServer server) throws Exception {
        Path bundle =
                Files.writeString(dataDir.resolve("bundle.pem"), Pem.encodeCertificates(List.of(CA.certificate())));
        return config().serverPort(server.listenTls(CA))
                .trustBundle(bundle)
                .joinToken("tok")
                .rebootstrap(true)
                .build();
    }

    private static List<X509Certificate> issue(SpiffeId id, byte[] csr) {
        try {
            PublicKey key = new JcaPKCS10CertificationRequest(csr).getPublicKey();
            Instant now = Instant.now();
            return CA.issue(
                            new TestPki.Profile(false, id, List.of()),
                            new KeyPair(key, null),
                            now.minusSeconds(10),
                            now.plus(Duration.ofHours(1)))
                    .chain();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static ListAppender<ILoggingEvent> captureLogs() {
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        ((Logger) LoggerFactory.getLogger(AgentIdentityBootstrap.class)).addAppender(logs);
        return logs;
    }

    private static void releaseLogs(ListAppender<ILoggingEvent> logs) {
        ((Logger) LoggerFactory.getLogger(AgentIdentityBootstrap.class)).detachAppender(logs);
    }
}
