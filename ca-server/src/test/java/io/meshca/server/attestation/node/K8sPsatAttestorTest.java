package io.meshca.server.attestation.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jwt.JWTClaimsSet;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.meshca.common.error.InvalidArgumentException;
import io.meshca.common.error.PermissionDeniedException;
import io.meshca.common.plugin.PluginConfig;
import io.meshca.common.selector.SelectorVocabularies;
import io.meshca.common.spiffe.Selector;
import io.meshca.common.spiffe.TrustDomain;
import io.meshca.common.testing.FakeClock;
import io.meshca.common.testing.TestPki;
import io.meshca.common.tls.SvidKeyManager;
import io.meshca.server.k8s.OidcDiscoveryJwks;
import io.meshca.server.k8s.TestTokenIssuer;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;

class K8sPsatAttestorTest {

    private static final TrustDomain TD = TrustDomain.parse("example.org");
    static final String ISS = "https://kubernetes.default.svc.cluster.local";
    static final String NODE_UID = "0f9e8d7c-6b5a-4938-8271-605f4e3d2c1b";
    static final String POD_UID = "3c1f4a0e-9b2d-4e6f-8a7b-1c2d3e4f5a6b";
    static final Instant NOW = Instant.now();

    private final TestTokenIssuer k8s = new TestTokenIssuer(ISS, "k8s-1");
    private final FakeClock clock = new FakeClock(NOW);
    private final K8sPsatConfig config =
            new K8sPsatConfig("prod", ISS, null, "meshca-server", Set.of("meshca-system:meshca-agent"));
    private final K8sPsatAttestor attestor =
            new K8sPsatAttestor(TD, config, new ImmutableJWKSet<>(new JWKSet(k8s.key.toPublicJWK())), clock);

    private final Logger attestorLog = (Logger) LoggerFactory.getLogger(K8sPsatAttestor.class);
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();

    @BeforeEach
    void captureLog() {
        logs.start();
        attestorLog.addAppender(logs);
    }

    @AfterEach
    void releaseLog() {
        attestorLog.detachAppender(logs);
    }

    /** A Kubernetes 1.30 projected token of the agent's pod, valid for 10 minutes from NOW. */
    static JWTClaimsSet.Builder agentToken(String issuer, String audience, String namespace, String serviceAccount) {
        Map<String, Object> k8s = new LinkedHashMap<>();
        k8s.put("namespace", namespace);
        k8s.put("node", Map.of("name", "ip-10-0-1-17.internal", "uid", NODE_UID));
        k8s.put("pod", Map.of("name", "meshca-agent-x7k2p", "uid", POD_UID));
        k8s.put("serviceaccount", Map.of("name", serviceAccount, "uid", "5b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e"));
        return new JWTClaimsSet.Builder()
                .issuer(issuer)
                .audience(List.of(audience))
                .subject("system:serviceaccount:" + namespace + ":" + serviceAccount)
                .issueTime(Date.from(NOW))
                .notBeforeTime(Date.from(NOW))
                .expirationTime(Date.from(NOW.plus(Duration.ofMinutes(10))))
                .claim("kubernetes.io", k8s);
    }

    private JWTClaimsSet.Builder goodToken() {
        return agentToken(ISS, "meshca-server", "meshca-system", "meshca-agent");
    }

    private AttestResult attest(String token) {
        return AttestSteps.attested(attestor.attest(token.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void tokenOfAnAllowedAgent_givesTheNodesAgentId_andItsSelectors() {
        AttestResult result = attest(k8s.sign(goodToken()));

        assertThat(result.agentId().toString())
                .isEqualTo("spiffe://example.org/meshca/agent/k8s_psat/prod/" + NODE_UID);
        assertThat(result.selectors().asSet().stream().map(Selector::toString))
                .containsExactlyInAnyOrder(
                        "k8s_psat:cluster:prod",
                        "k8s_psat:agent_ns:meshca-system",
                        "k8s_psat:agent_sa:meshca-agent",
                        "k8s_psat:agent_pod_name:meshca-agent-x7k2p",
                        "k8s_psat:agent_pod_uid:" + POD_UID,
                        "k8s_psat:agent_node_name:ip-10-0-1-17.internal",
                        "k8s_psat:agent_node_uid:" + NODE_UID);
        result.selectors().forEach(SelectorVocabularies.BUILT_IN::check);
    }

    @Test
    void theSameToken_attestsAgain_soAnAgentCanReBootstrap() {
        String token = k8s.sign(goodToken());

        assertThat(attest(token).agentId()).isEqualTo(attest(token).agentId());
    }

    static Stream<Arguments> refusals() {
        TestTokenIssuer forger = new TestTokenIssuer(ISS, "k8s-1");
        TestTokenIssuer stranger = new TestTokenIssuer("https://other-cluster.example", "k8s-1");
        return Stream.of(
                Arguments.of(
                        "wrong audience",
                        (UnaryOperator<TestTokenIssuer>) i -> i,
                        agentToken(ISS, "istio-ca", "meshca-system", "meshca-agent"),
                        "token audience [istio-ca] contains none of [meshca-server]"),
                Arguments.of(
                        "foreign issuer",
                        (UnaryOperator<TestTokenIssuer>) i -> stranger,
                        agentToken(stranger.issuer, "meshca-server", "meshca-system", "meshca-agent"),
                        "is not a trusted issuer"),
                Arguments.of(
                        "bad signature",
                        (UnaryOperator<TestTokenIssuer>) i -> forger,
                        agentToken(ISS, "meshca-server", "meshca-system", "meshca-agent"),
                        "token signature does not verify"),
                Arguments.of(
                        "service account not allowed",
                        (UnaryOperator<TestTokenIssuer>) i -> i,
                        agentToken(ISS, "meshca-server", "shop", "checkout"),
                        "service account shop:checkout is not in serviceAccountAllowList"),
                Arguments.of(
                        "token before Kubernetes 1.30",
                        (UnaryOperator<TestTokenIssuer>) i -> i,
                        agentToken(ISS, "meshca-server", "meshca-system", "meshca-agent")
                                .claim(
                                        "kubernetes.io",
                                        Map.of(
                                                "namespace", "meshca-system",
                                                "serviceaccount", Map.of("name", "meshca-agent", "uid", "u"),
                                                "pod", Map.of("name", "p", "uid", POD_UID))),
                        "token has no kubernetes.io claim node.name (Kubernetes 1.30 and later issue it)"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusals")
    void refusedTokens_tellTheAgentOnlyThatTheyAreRefused_andTheLogWhy(
            String what, UnaryOperator<TestTokenIssuer> signer, JWTClaimsSet.Builder claims, String reason) {
        String token = signer.apply(k8s).sign(claims, signer.apply(k8s).key);

        assertThatThrownBy(() -> attest(token))
                .isInstanceOf(PermissionDeniedException.class)
                .hasMessage(K8sPsatAttestor.REFUSED);
        assertThat(logs.list)
                .singleElement()
                .extracting(ILoggingEvent::getFormattedMessage)
                .asString()
                .startsWith("k8s_psat attestation refused for cluster prod: ")
                .contains(reason)
                .doesNotContain(token);
    }

    @Test
    void anExpiredToken_isRefused_pastTheClockSkew() {
        String token = k8s.sign(goodToken());
        clock.advance(Duration.ofMinutes(10).plusSeconds(30));
        assertThat(attest(token).agentId()).as("within the skew").isNotNull();

        clock.advance(Duration.ofMinutes(1));

        assertThatThrownBy(() -> attest(token)).hasMessage(K8sPsatAttestor.REFUSED);
        assertThat(logs.list.get(0).getFormattedMessage()).contains("token expired at");
    }

    @Test
    void anEmptyPayload_isAMalformedRequest() {
        assertThatThrownBy(() -> attest(" \n"))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessage(K8sPsatAttestor.EMPTY);
    }

    @Test
    void keysFoundByOidcDiscovery_verifyTokens() throws Exception {
        TestPki.Authority ca = TestPki.root(TrustDomain.parse("k8s.test"));
        TestPki.Leaf serving = ca.issue(
                new TestPki.Profile(false, null, List.of("localhost")),
                TestPki.keyPair(),
                NOW.minusSeconds(3600),
                NOW.plusSeconds(3600));
        SSLContext serverTls = SSLContext.getInstance("TLS");
        serverTls.init(new KeyManager[] {new SvidKeyManager(serving::identity)}, null, null);
        HttpsServer http = HttpsServer.create(new InetSocketAddress(InetAddress.getByName("localhost"), 0), 4);
        http.setHttpsConfigurator(new HttpsConfigurator(serverTls));
        String issuer = "https://localhost:" + http.getAddress().getPort();
        TestTokenIssuer cluster = new TestTokenIssuer(issuer, "api-1");
        AtomicInteger discoveries = new AtomicInteger();
        serve(http, OidcDiscoveryJwks.WELL_KNOWN, () -> {
            discoveries.incrementAndGet();
            return "{\"issuer\":\"" + issuer + "\",\"jwks_uri\":\"" + issuer + "/openid/v1/jwks\","
                    + "\"response_types_supported\":[\"id_token\"]}";
        });
        serve(http, "/openid/v1/jwks", cluster::jwksJson);
        http.start();
        try {
            var discovered = new OidcDiscoveryJwks(issuer, trusting(ca).getSocketFactory(), clock);
            var viaDiscovery = new K8sPsatAttestor(
                    TD,
                    new K8sPsatConfig("prod", issuer, null, "meshca-server", config.serviceAccountAllowList()),
                    discovered,
                    clock);
            String token = cluster.sign(agentToken(issuer, "meshca-server", "meshca-system", "meshca-agent"));

            assertThat(AttestSteps.attested(viaDiscovery.attest(token.getBytes(StandardCharsets.UTF_8)))
                            .agentId()
                            .toString())
                    .endsWith("/k8s_psat/prod/" + NODE_UID);
            viaDiscovery.attest(token.getBytes(StandardCharsets.UTF_8));
            assertThat(discoveries).as("the discovery document is read once").hasValue(1);
        } finally {
            http.stop(0);
        }
    }

    @Test
    void aDiscoveryDocumentOfAnotherIssuer_isNotTrusted_andNotAskedForAgainAtOnce() throws Exception {
        TestPki.Authority ca = TestPki.root(TrustDomain.parse("k8s.test"));
        TestPki.Leaf serving = ca.issue(
                new TestPki.Profile(false, null, List.of("localhost")),
                TestPki.keyPair(),
                NOW.minusSeconds(3600),
                NOW.plusSeconds(3600));
        SSLContext serverTls = SSLContext.getInstance("TLS");
        serverTls.init(new KeyManager[] {new SvidKeyManager(serving::identity)}, null, null);
        HttpsServer http = HttpsServer.create(new InetSocketAddress(InetAddress.getByName("localhost"), 0), 4);
        http.setHttpsConfigurator(new HttpsConfigurator(serverTls));
        String issuer = "https://localhost:" + http.getAddress().getPort();
        TestTokenIssuer cluster = new TestTokenIssuer(issuer, "api-1");
        AtomicInteger discoveries = new AtomicInteger();
        serve(http, OidcDiscoveryJwks.WELL_KNOWN, () -> {
            discoveries.incrementAndGet();
            return "{\"issuer\":\"https://evil.example\",\"jwks_uri\":\"" + issuer + "/openid/v1/jwks\"}";
        });
        serve(http, "/openid/v1/jwks", cluster::jwksJson);
        http.start();
        try {
            var viaDiscovery = new K8sPsatAttestor(
                    TD,
                    new K8sPsatConfig("prod", issuer, null, "meshca-server", config.serviceAccountAllowList()),
                    new OidcDiscoveryJwks(issuer, trusting(ca).getSocketFactory(), clock),
                    clock);
            String token = cluster.sign(agentToken(issuer, "meshca-server", "meshca-system", "meshca-agent"));

            assertThatThrownBy(() -> viaDiscovery.attest(token.getBytes(StandardCharsets.UTF_8)))
                    .hasMessage(K8sPsatAttestor.REFUSED);
            assertThat(logs.list.get(0).getFormattedMessage())
                    .contains("names issuer https://evil.example, not " + issuer);

            assertThatThrownBy(() -> viaDiscovery.attest(token.getBytes(StandardCharsets.UTF_8)))
                    .hasMessage(K8sPsatAttestor.REFUSED);
            assertThat(discoveries).as("a failure is the answer for a while").hasValue(1);
            clock.advance(OidcDiscoveryJwks.RETRY_AFTER);
            assertThatThrownBy(() -> viaDiscovery.attest(token.getBytes(StandardCharsets.UTF_8)))
                    .hasMessage(K8sPsatAttestor.REFUSED);
            assertThat(discoveries).as("then it is read again").hasValue(2);
        } finally {
            http.stop(0);
        }
    }

    private static void serve(HttpsServer http, String path, Supplier<String> body) {
        http.createContext(path, exchange -> {
            byte[] bytes = body.get().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
    }

    private static SSLContext trusting(TestPki.Authority ca) throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        trust.setCertificateEntry("ca", ca.certificate());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, tmf.getTrustManagers(), null);
        return tls;
    }

    static Stream<Arguments> badConfigs() {
        Map<String, Object> good = Map.of(
                "cluster", "prod", "issuer", ISS, "serviceAccountAllowList", List.of("meshca-system:meshca-agent"));
        return Stream.of(
                Arguments.of(without(good, "cluster"), "plugins.nodeAttestor.k8s_psat.cluster is required"),
                Arguments.of(
                        with(good, "cluster", "prod/eu"),
                        "plugins.nodeAttestor.k8s_psat.cluster must be letters, digits, '.', '_' or '-', got \"prod/eu\""),
                Arguments.of(without(good, "issuer"), "plugins.nodeAttestor.k8s_psat.issuer is required"),
                Arguments.of(
                        with(good, "issuer", "http://kubernetes.local"),
                        "plugins.nodeAttestor.k8s_psat.issuer must be an https:// URL for OIDC discovery (or set "
                                + "plugins.nodeAttestor.k8s_psat.jwksFile), got \"http://kubernetes.local\""),
                Arguments.of(
                        without(good, "serviceAccountAllowList"),
                        "plugins.nodeAttestor.k8s_psat.serviceAccountAllowList is required: the <namespace>:<name> "
                                + "of the service accounts agents run as"),
                Arguments.of(
                        with(good, "serviceAccountAllowList", List.of("meshca-agent")),
                        "plugins.nodeAttestor.k8s_psat.serviceAccountAllowList entries have the form "
                                + "<namespace>:<name>, got \"meshca-agent\""),
                Arguments.of(
                        with(good, "audiences", "x"),
                        "unknown config key \"plugins.nodeAttestor.k8s_psat.audiences\" (known keys here: "
                                + "allowedNodeLabelKeys, allowedPodLabelKeys, apiServerCaFile, apiServerTokenFile, "
                                + "apiServerUrl, audience, cluster, issuer, jwksFile, serviceAccountAllowList, "
                                + "useTokenReview)"));
    }

    @ParameterizedTest
    @MethodSource("badConfigs")
    void badConfig_isRefusedNamingTheKey(Map<String, Object> block, String message) {
        assertThatThrownBy(() -> K8sPsatConfig.from(new PluginConfig("plugins.nodeAttestor.k8s_psat", block)))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessage(message);
    }

    @Test
    void config_defaultsTheAudience_andTakesAJwksFileInsteadOfDiscovery(@TempDir Path dir) {
        Path jwks = k8s.writeJwks(dir.resolve("jwks.json"));
        K8sPsatConfig parsed = K8sPsatConfig.from(new PluginConfig(
                "plugins.nodeAttestor.k8s_psat",
                Map.of(
                        "cluster",
                        "prod",
                        "issuer",
                        "kubernetes/serviceaccount",
                        "jwksFile",
                        jwks.toString(),
                        "serviceAccountAllowList",
                        List.of("meshca-system:meshca-agent", "ops:agent"))));

        assertThat(parsed.audience()).isEqualTo(K8sPsatConfig.DEFAULT_AUDIENCE);
        assertThat(parsed.serviceAccountAllowList())
                .containsExactlyInAnyOrder("meshca-system:meshca-agent", "ops:agent");
        K8sPsatAttestor fromFile = K8sPsatAttestor.create(TD, parsed, clock);
        String token = k8s.sign(agentToken("kubernetes/serviceaccount", "meshca-server", "ops", "agent"));
        assertThat(AttestSteps.attested(fromFile.attest(token.getBytes(StandardCharsets.UTF_8)))
                        .agentId()
                        .toString())
                .isEqualTo("spiffe://example.org/meshca/agent/k8s_psat/prod/" + NODE_UID);
    }

    private static Map<String, Object> without(Map<String, Object> block, String key) {
        Map<String, Object> copy = new LinkedHashMap<>(block);
        copy.remove(key);
        return copy;
    }

    private static Map<String, Object> with(Map<String, Object> block, String key, Object value) {
        Map<String, Object> copy = new LinkedHashMap<>(block);
        copy.put(key, value);
        return copy;
    }
}
