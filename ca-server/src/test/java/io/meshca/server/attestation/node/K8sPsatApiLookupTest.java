package io.meshca.server.attestation.node;

import static io.meshca.server.attestation.node.K8sPsatAttestorTest.ISS;
import static io.meshca.server.attestation.node.K8sPsatAttestorTest.NODE_UID;
import static io.meshca.server.attestation.node.K8sPsatAttestorTest.NOW;
import static io.meshca.server.attestation.node.K8sPsatAttestorTest.POD_UID;
import static io.meshca.server.attestation.node.K8sPsatAttestorTest.agentToken;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import io.meshca.common.error.InvalidArgumentException;
import io.meshca.common.error.PermissionDeniedException;
import io.meshca.common.error.UnavailableException;
import io.meshca.common.plugin.PluginConfig;
import io.meshca.common.selector.SelectorVocabularies;
import io.meshca.common.spiffe.Selector;
import io.meshca.common.spiffe.TrustDomain;
import io.meshca.common.testing.FakeClock;
import io.meshca.server.k8s.FakeKubernetesApiServer;
import io.meshca.server.k8s.KubernetesApiSettings;
import io.meshca.server.k8s.TestTokenIssuer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * {@code k8s_psat} with the cluster's API server: pod and node lookups (a token of a deleted or remade
 * pod or node is refused), label selectors, and TokenReview instead of the issuer's keys — against an
 * API server over HTTPS speaking the real JSON.
 */
class K8sPsatApiLookupTest {

    private static final TrustDomain TD = TrustDomain.parse("example.org");
    private static final String NODE = "ip-10-0-1-17.internal";
    private static final String POD = "meshca-agent-x7k2p";

    @TempDir
    Path dir;

    private final TestTokenIssuer k8s = new TestTokenIssuer(ISS, "k8s-1");
    private final FakeClock clock = new FakeClock(NOW);
    private final Logger attestorLog = (Logger) LoggerFactory.getLogger(K8sPsatAttestor.class);
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private FakeKubernetesApiServer api;

    @BeforeEach
    void start() throws Exception {
        api = new FakeKubernetesApiServer();
        api.putNode(NODE, NODE_UID, Map.of("topology.kubernetes.io/zone", "eu-west-1a", "kubernetes.io/os", "linux"));
        api.putPod("meshca-system", POD, POD_UID, NODE, Map.of("app", "meshca-agent", "pod-template-hash", "7d4b9c"));
        logs.start();
        attestorLog.addAppender(logs);
    }

    @AfterEach
    void stop() {
        attestorLog.detachAppender(logs);
        api.close();
    }

    private K8sPsatAttestor attestor(Map<String, Object> extra) throws Exception {
        Map<String, Object> block = new LinkedHashMap<>(api.clientKeys(dir));
        block.put("cluster", "prod");
        block.put("serviceAccountAllowList", List.of("meshca-system:meshca-agent"));
        block.putAll(extra);
        if (!"true".equals(String.valueOf(block.get("useTokenReview")))) {
            block.put("issuer", ISS);
            block.put("jwksFile", k8s.writeJwks(dir.resolve("jwks.json")).toString());
        }
        K8sPsatConfig config = K8sPsatConfig.from(new PluginConfig("plugins.nodeAttestor.k8s_psat", block), Map.of());
        return config.useTokenReview()
                ? K8sPsatAttestor.create(TD, config, clock)
                : new K8sPsatAttestor(
                        TD,
                        config,
                        new ImmutableJWKSet<>(new JWKSet(k8s.key.toPublicJWK())),
                        config.apiServerSettings()
                                .map(KubernetesApiSettings::client)
                                .orElseThrow(),
                        clock);
    }

    private String goodToken() {
        return k8s.sign(agentToken(ISS, "meshca-server", "meshca-system", "meshca-agent"));
    }

    private static AttestResult attest(K8sPsatAttestor attestor, String token) {
        return AttestSteps.attested(attestor.attest(token.getBytes(StandardCharsets.UTF_8)));
    }

    private static List<String> selectors(AttestResult result) {
        return result.selectors().asSet().stream().map(Selector::toString).toList();
    }

    @Test
    void allowedLabelsOfTheNodeAndPod_becomeSelectors_andNoOthers() throws Exception {
        K8sPsatAttestor attestor = attestor(Map.of(
                "allowedNodeLabelKeys", List.of("topology.kubernetes.io/zone"),
                "allowedPodLabelKeys", List.of("app", "not-on-the-pod")));

        AttestResult result = attest(attestor, goodToken());

        assertThat(selectors(result))
                .contains(
                        "k8s_psat:agent_node_label:topology.kubernetes.io/zone:eu-west-1a",
                        "k8s_psat:agent_pod_label:app:meshca-agent",
                        "k8s_psat:agent_node_uid:" + NODE_UID)
                .noneMatch(s -> s.contains("kubernetes.io/os") || s.contains("pod-template-hash"))
                .hasSize(9);
        result.selectors().forEach(SelectorVocabularies.BUILT_IN::check);
    }

    @Test
    void aTokenOfAPodThatWasDeleted_orMadeAgain_orOfANodeMadeAgain_isRefused() throws Exception {
        K8sPsatAttestor attestor = attestor(Map.of("allowedNodeLabelKeys", List.of("kubernetes.io/os")));
        String token = goodToken();

        api.putPod("meshca-system", POD, "11111111-2222-4333-8444-555555555555", NODE, Map.of());
        assertRefused(() -> attest(attestor, token), "pod meshca-system/" + POD + " has UID 11111111");

        api.putPod("meshca-system", POD, POD_UID, "another-node", Map.of());
        assertRefused(() -> attest(attestor, token), "runs on node another-node, the token names node " + NODE);

        api.remove("/api/v1/namespaces/meshca-system/pods/" + POD);
        assertRefused(() -> attest(attestor, token), "pod meshca-system/" + POD + " no longer exists");

        api.putPod("meshca-system", POD, POD_UID, NODE, Map.of());
        api.putNode(NODE, "99999999-2222-4333-8444-555555555555", Map.of());
        assertRefused(() -> attest(attestor, token), "node " + NODE + " has UID 99999999");

        api.putNode(NODE, NODE_UID, Map.of());
        assertThat(attest(attestor, token).agentId().toString()).endsWith("/k8s_psat/prod/" + NODE_UID);
    }

    @Test
    void withTokenReview_theApiServerVouchesForTheToken_andNamesItsPodAndNode() throws Exception {
        api.reviewWith(reviewed("meshca-system", "meshca-agent", "meshca-server"));
        K8sPsatAttestor attestor = attestor(Map.of("useTokenReview", true));
        // signed by a key the server does not know: only the API server's word counts
        String token = new TestTokenIssuer(ISS, "other").sign(agentToken(ISS, "meshca-server", "x", "y"));

        AttestResult result = attest(attestor, token);

        assertThat(result.agentId().toString())
                .isEqualTo("spiffe://example.org/meshca/agent/k8s_psat/prod/" + NODE_UID);
        assertThat(selectors(result)).contains("k8s_psat:agent_ns:meshca-system", "k8s_psat:agent_pod_uid:" + POD_UID);
        JsonNode sent = api.reviewRequests().get(0);
        assertThat(sent.path("token").asText()).isEqualTo(token);
        assertThat(sent.path("audiences").get(0).asText()).isEqualTo("meshca-server");
    }

    @Test
    void withTokenReview_whatTheApiServerRefuses_isRefused_withItsReasonInTheLog() throws Exception {
        K8sPsatAttestor attestor = attestor(Map.of("useTokenReview", "true"));

        api.reviewWith(spec -> Map.of("authenticated", false, "error", "token has been invalidated"));
        assertRefused(
                () -> attest(attestor, goodToken()), "did not authenticate the token: token has been invalidated");

        api.reviewWith(reviewed("meshca-system", "meshca-agent", "istio-ca"));
        assertRefused(() -> attest(attestor, goodToken()), "for [istio-ca], not for meshca-server");

        api.reviewWith(spec -> Map.of(
                "authenticated", true, "audiences", List.of("meshca-server"), "user", Map.of("username", "alice")));
        assertRefused(() -> attest(attestor, goodToken()), "not a service account's: user alice");

        Map<String, Object> noNode = new HashMap<>(
                reviewed("meshca-system", "meshca-agent", "meshca-server").apply(null));
        noNode.put(
                "user",
                Map.of(
                        "username", "system:serviceaccount:meshca-system:meshca-agent",
                        "uid", "5b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e",
                        "extra", Map.of("authentication.kubernetes.io/pod-name", List.of(POD))));
        api.reviewWith(spec -> noNode);
        assertRefused(() -> attest(attestor, goodToken()), "names no pod-uid");

        api.reviewWith(reviewed("default", "default", "meshca-server"));
        assertRefused(() -> attest(attestor, goodToken()), "service account default:default is not in");
    }

    @Test
    void anApiServerThatCannotBeAsked_failsTheAttestationAsUnavailable() throws Exception {
        K8sPsatAttestor attestor = attestor(Map.of("allowedPodLabelKeys", List.of("app")));
        api.close();

        assertThatThrownBy(() -> attest(attestor, goodToken()))
                .isInstanceOf(UnavailableException.class)
                .hasMessage(K8sPsatAttestor.API_UNAVAILABLE);
    }

    @Test
    void apiServerSettings_defaultToThePodsOwn_andNameWhatIsWrong() throws Exception {
        Map<String, Object> block = new LinkedHashMap<>(Map.of(
                "cluster",
                "prod",
                "serviceAccountAllowList",
                List.of("meshca-system:meshca-agent"),
                "useTokenReview",
                true));
        assertThatThrownBy(() -> K8sPsatConfig.from(new PluginConfig("p.k8s_psat", block), Map.of()))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessage("p.k8s_psat.apiServerUrl is required outside a Kubernetes pod"
                        + " (KUBERNETES_SERVICE_HOST is not set)");

        block.putAll(api.clientKeys(dir));
        block.remove("apiServerUrl");
        Map<String, String> pod = Map.of("KUBERNETES_SERVICE_HOST", "10.96.0.1", "KUBERNETES_SERVICE_PORT", "6443");
        K8sPsatConfig inCluster = K8sPsatConfig.from(new PluginConfig("p.k8s_psat", block), pod);
        assertThat(inCluster.apiServerSettings().orElseThrow().url()).hasToString("https://10.96.0.1:6443");
        assertThat(inCluster.issuer()).as("no issuer needed with TokenReview").isNull();

        block.put("useTokenReview", "yes");
        assertThatThrownBy(() -> K8sPsatConfig.from(new PluginConfig("p.k8s_psat", block), pod))
                .hasMessage("p.k8s_psat.useTokenReview must be true or false, got \"yes\"");

        block.put("useTokenReview", true);
        block.put("jwksFile", "/etc/jwks.json");
        assertThatThrownBy(() -> K8sPsatConfig.from(new PluginConfig("p.k8s_psat", block), pod))
                .hasMessage("p.k8s_psat.jwksFile has no use with p.k8s_psat.useTokenReview: the API server checks"
                        + " the tokens");
    }

    private static Function<JsonNode, Map<String, Object>> reviewed(
            String namespace, String serviceAccount, String audience) {
        return spec -> Map.of(
                "authenticated", true,
                "audiences", List.of(audience),
                "user",
                        Map.of(
                                "username",
                                "system:serviceaccount:" + namespace + ":" + serviceAccount,
                                "uid",
                                "5b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e",
                                "groups",
                                List.of("system:serviceaccounts", "system:authenticated"),
                                "extra",
                                Map.of(
                                        "authentication.kubernetes.io/pod-name", List.of(POD),
                                        "authentication.kubernetes.io/pod-uid", List.of(POD_UID),
                                        "authentication.kubernetes.io/node-name", List.of(NODE),
                                        "authentication.kubernetes.io/node-uid", List.of(NODE_UID),
                                        "authentication.kubernetes.io/credential-id", List.of("JTI=0f8c3a0e"))));
    }

    private void assertRefused(Runnable attestation, String reason) {
        logs.list.clear();
        assertThatThrownBy(attestation::run)
                .isInstanceOf(PermissionDeniedException.class)
                .hasMessage(K8sPsatAttestor.REFUSED);
        assertThat(logs.list)
                .singleElement()
                .extracting(ILoggingEvent::getFormattedMessage)
                .asString()
                .contains(reason);
    }
}
