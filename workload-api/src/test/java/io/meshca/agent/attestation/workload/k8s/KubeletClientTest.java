package io.meshca.agent.attestation.workload.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsServer;
import io.meshca.agent.attestation.workload.k8s.KubeletPods.Pod;
import io.meshca.common.pki.Pem;
import io.meshca.common.plugin.PluginConfig;
import io.meshca.common.spiffe.TrustDomain;
import io.meshca.common.testing.TestPki;
import io.meshca.common.tls.SvidKeyManager;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The kubelet client against a fake kubelet serving a real {@code /pods} document. */
class KubeletClientTest {

    private static final Instant NOW = Instant.now();
    private static final String TOKEN = "eyJhbGciOiJSUzI1NiJ9.node-agent.sig";

    @TempDir
    Path dir;

    private final TestPki.Authority kubeletCa = TestPki.root(TrustDomain.parse("kubelet.test"));
    private final AtomicReference<String> expectedToken = new AtomicReference<>(TOKEN);
    private final List<String> authorizations = new CopyOnWriteArrayList<>();
    private HttpServer kubelet;

    @AfterEach
    void stopKubelet() {
        if (kubelet != null) {
            kubelet.stop(0);
        }
    }

    @Test
    void thePods_areListedWithTheBearerToken() throws Exception {
        startHttpsKubelet(kubeletCa);

        List<Pod> pods = client().pods();

        assertThat(pods)
                .extracting(pod -> pod.metadata().name())
                .containsExactly("orders-7d4b9c-x2x8q", "kube-proxy-4kq2f");
        assertThat(authorizations).containsExactly("Bearer " + TOKEN);
    }

    @Test
    void aRotatedToken_isReadAnewForTheNextRequest() throws Exception {
        startHttpsKubelet(kubeletCa);
        KubeletClient client = client();
        client.pods();

        Files.writeString(dir.resolve("token"), "rotated-token\n");
        expectedToken.set("rotated-token");

        assertThat(client.pods()).hasSize(2);
        assertThat(authorizations).containsExactly("Bearer " + TOKEN, "Bearer rotated-token");
    }

    @Test
    void aRefusedToken_failsNamingTheStatus_andNotTheToken() throws Exception {
        startHttpsKubelet(kubeletCa);
        expectedToken.set("another");

        assertThatThrownBy(() -> client().pods())
                .isInstanceOf(IOException.class)
                .hasMessageEndingWith("/pods with HTTP 401")
                .hasMessageNotContaining(TOKEN);
    }

    @Test
    void aKubeletWhoseCertificateTheCaDidNotSign_isNotTalkedTo() throws Exception {
        startHttpsKubelet(TestPki.root(TrustDomain.parse("impostor.test")));

        assertThatThrownBy(() -> client().pods()).isInstanceOf(IOException.class);
        assertThat(authorizations).isEmpty();
    }

    @Test
    void theReadOnlyPort_isAskedWithoutAToken() throws Exception {
        kubelet = HttpServer.create(new InetSocketAddress(InetAddress.getByName("localhost"), 0), 2);
        kubelet.createContext("/pods", this::servePods);
        kubelet.start();
        PluginConfig block = new PluginConfig(
                "plugins.workloadAttestor.k8s",
                Map.of("kubeletUrl", "http://localhost:" + kubelet.getAddress().getPort()));

        assertThat(K8sAttestorSettings.parse(block).kubeletClient().pods()).hasSize(2);
        assertThat(authorizations).containsExactly("none");
    }

    private KubeletClient client() throws IOException {
        Files.writeString(dir.resolve("ca.pem"), Pem.encodeCertificates(List.of(kubeletCa.certificate())));
        if (!Files.exists(dir.resolve("token"))) {
            Files.writeString(dir.resolve("token"), TOKEN + "\n");
        }
        Map<String, Object> block = Map.of(
                "kubeletUrl", "https://localhost:" + kubelet.getAddress().getPort(),
                "kubeletCaFile", dir.resolve("ca.pem").toString(),
                "tokenFile", dir.resolve("token").toString());
        return K8sAttestorSettings.parse(new PluginConfig("plugins.workloadAttestor.k8s", block))
                .kubeletClient();
    }

    private void startHttpsKubelet(TestPki.Authority signer) throws Exception {
        TestPki.Leaf serving = signer.issue(
                new TestPki.Profile(false, null, List.of("localhost")),
                TestPki.keyPair(),
                NOW.minusSeconds(3600),
                NOW.plusSeconds(3600));
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(new KeyManager[] {new SvidKeyManager(serving::identity)}, null, null);
        HttpsServer https = HttpsServer.create(new InetSocketAddress(InetAddress.getByName("localhost"), 0), 2);
        https.setHttpsConfigurator(new HttpsConfigurator(tls));
        https.createContext("/pods", this::servePods);
        https.start();
        kubelet = https;
    }

    private void servePods(HttpExchange exchange) throws IOException {
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        authorizations.add(authorization == null ? "none" : authorization);
        boolean https = exchange instanceof HttpsExchange;
        if (https && !("Bearer " + expectedToken.get()).equals(authorization)) {
            exchange.sendResponseHeaders(401, -1);
            exchange.close();
            return;
        }
        byte[] body;
        try (InputStream in = KubeletClientTest.class.getResourceAsStream("pods.json")) {
            body = in.readAllBytes();
        }
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }
}
