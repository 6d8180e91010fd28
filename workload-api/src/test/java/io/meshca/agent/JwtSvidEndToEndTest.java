package io.meshca.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jwt.SignedJWT;
import io.meshca.agent.config.AgentConfig;
import io.meshca.agent.testing.RunningAgent;
import io.meshca.common.spiffe.Selector;
import io.meshca.common.spiffe.SelectorSet;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.server.testing.TestServer;
import io.spiffe.bundle.jwtbundle.JwtBundleSet;
import io.spiffe.exception.JwtSvidException;
import io.spiffe.spiffeid.TrustDomain;
import io.spiffe.svid.jwtsvid.JwtSvid;
import io.spiffe.workloadapi.DefaultWorkloadApiClient;
import io.spiffe.workloadapi.WorkloadApiClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * JWT-SVIDs end to end: a real ca-server mints them for a real agent, and java-spiffe (the reference
 * Java client) fetches one over the agent's socket, validates it through the Workload API, and offline
 * against the JWT bundles it fetched.
 */
class JwtSvidEndToEndTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private TestServer server;
    private RunningAgent agent;

    @BeforeEach
    void start() throws Exception {
        server = TestServer.start(dir);
        Path trustBundle = dir.resolve("bundle.pem");
        Files.writeString(trustBundle, server.trustBundlePem());
        agent = RunningAgent.start(AgentConfig.builder()
                .trustDomain(server.trustDomain().name())
                .serverAddress("127.0.0.1")
                .serverPort(server.agentApiPort())
                .socketPath(dir.resolve("sock/api.sock"))
                .trustBundle(trustBundle)
                .dataDir(dir.resolve("agent"))
                .joinToken(server.generateJoinToken(Duration.ofMinutes(10), Optional.empty()))
                .build());
        assertThat(agent.awaitSynced(WAIT)).isTrue();
    }

    @AfterEach
    void stop() {
        if (agent != null) {
            agent.close();
        }
        server.close();
    }

    @Test
    void javaSpiffe_fetchesAJwtSvid_andValidatesItThroughTheApiAndOffline() throws Exception {
        int uid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        SpiffeId workloadId = SpiffeId.parse("spiffe://example.org/e2e/jwt");
        server.createEntry(
                workloadId, agent.agentId(), SelectorSet.of(Selector.parse("unix:uid:" + uid)), Duration.ZERO);

        try (WorkloadApiClient client =
                DefaultWorkloadApiClient.newClient(DefaultWorkloadApiClient.ClientOptions.builder()
                        .spiffeSocketPath("unix:" + agent.socketPath())
                        .build())) {
            // the X.509 stream waits for the entry's first SVID: once it is there, the workload is known
            assertThat(client.fetchX509Context().getDefaultSvid().getSpiffeId().toString())
                    .isEqualTo(workloadId.toString());

            JwtSvid svid = client.fetchJwtSvid("payments", "audit");

            assertThat(svid.getSpiffeId().toString()).isEqualTo(workloadId.toString());
            assertThat(svid.getAudience()).containsExactlyInAnyOrder("payments", "audit");
            assertThat(Duration.between(
                            svid.getIssuedAt().toInstant(), svid.getExpiry().toInstant()))
                    .isEqualTo(Duration.ofMinutes(5));
            var header = SignedJWT.parse(svid.getToken()).getHeader();
            assertThat(header.getKeyID())
                    .isEqualTo(server.admin().bundle().jwtAuthorities().get(0).keyId());
            assertThat(header.getAlgorithm().getName()).isEqualTo("ES256");

            JwtSvid validated = client.validateJwtSvid(svid.getToken(), "payments");
            assertThat(validated.getSpiffeId().toString()).isEqualTo(workloadId.toString());
            assertThat(validated.getClaims()).containsKeys("sub", "aud", "exp", "iat");

            JwtBundleSet bundles = client.fetchJwtBundles();
            assertThat(bundles.getBundles()).containsOnlyKeys(TrustDomain.parse("example.org"));
            JwtSvid offline = JwtSvid.parseAndValidate(svid.getToken(), bundles, Set.of("audit"));
            assertThat(offline.getSpiffeId().toString()).isEqualTo(workloadId.toString());

            assertThatThrownBy(() -> client.validateJwtSvid(svid.getToken(), "billing"))
                    .isInstanceOf(JwtSvidException.class)
                    .rootCause()
                    .hasMessage("INVALID_ARGUMENT: JWT-SVID audience does not contain \"billing\"");
            // a prepared key reaches the workload's JWT bundle through the watch before it signs anything
            String next = server.publishJwtKey();
            Instant deadline = Instant.now().plus(WAIT);
            while (!client.fetchJwtBundles()
                    .getBundleForTrustDomain(TrustDomain.parse("example.org"))
                    .getJwtAuthorities()
                    .containsKey(next)) {
                assertThat(Instant.now())
                        .as("the prepared JWT key in the agent's bundle")
                        .isBefore(deadline);
                Thread.sleep(100);
            }
            assertThat(client.fetchJwtBundles()
                            .getBundleForTrustDomain(TrustDomain.parse("example.org"))
                            .getJwtAuthorities())
                    .hasSize(2);

            assertThatThrownBy(() -> client.fetchJwtSvid(
                            io.spiffe.spiffeid.SpiffeId.parse("spiffe://example.org/other"), "payments"))
                    .isInstanceOf(JwtSvidException.class)
                    .rootCause()
                    .hasMessage("PERMISSION_DENIED: no identity issued for spiffe://example.org/other");
        }
    }
}
