package io.meshca.agent.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.meshca.common.pki.Pem;
import io.meshca.common.spiffe.TrustDomain;
import io.meshca.common.testing.TestPki;
import io.meshca.common.tls.SvidKeyManager;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;

/**
 * A kubelet's authenticated port for end-to-end tests: HTTPS with a serving certificate of its own CA,
 * answering {@code GET /pods} with a {@code PodList} in the kubelet's JSON to a caller presenting the
 * expected bearer token (401 otherwise). Pods may be added while it runs, as a kubelet lists a pod once
 * it has started it.
 */
public final class FakeKubelet implements AutoCloseable {

    /** One container of a pod, as its status names it. */
    public record Container(String name, String image, String containerId) {}

    /** One pod of the node. */
    public record Pod(
            String namespace,
            String name,
            String uid,
            String serviceAccount,
            Map<String, String> labels,
            List<Container> containers) {}

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String nodeName;
    private final String token;
    private final TestPki.Authority ca = TestPki.root(TrustDomain.parse("kubelet.test"));
    private final List<Pod> pods = new CopyOnWriteArrayList<>();
    private final HttpsServer server;

    private FakeKubelet(String nodeName, String token) throws IOException, GeneralSecurityException {
        this.nodeName = nodeName;
        this.token = token;
        Instant now = Instant.now();
        TestPki.Leaf serving = ca.issue(
                new TestPki.Profile(false, null, List.of("localhost")),
                TestPki.keyPair(),
                now.minusSeconds(3600),
                now.plusSeconds(3600));
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(new KeyManager[] {new SvidKeyManager(serving::identity)}, null, null);
        server = HttpsServer.create(new InetSocketAddress(InetAddress.getByName("localhost"), 0), 4);
        server.setHttpsConfigurator(new HttpsConfigurator(tls));
        server.createContext("/pods", this::servePods);
        server.start();
    }

    /** Starts a kubelet of node {@code nodeName} that answers callers presenting {@code token}. */
    public static FakeKubelet start(String nodeName, String token) throws IOException, GeneralSecurityException {
        return new FakeKubelet(nodeName, token);
    }

    /** The agent's {@code kubeletUrl} for this kubelet. */
    public String url() {
        return "https://localhost:" + server.getAddress().getPort();
    }

    /** Writes the CA of the kubelet's serving certificate as PEM, for the agent's {@code kubeletCaFile}. */
    public Path writeCa(Path file) throws IOException {
        return Files.writeString(file, Pem.encodeCertificates(List.of(ca.certificate())));
    }

    /** Lists {@code pod} from now on. */
    public void add(Pod pod) {
        pods.add(pod);
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private void servePods(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!("Bearer " + token).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                exchange.sendResponseHeaders(401, -1);
                return;
            }
            byte[] body = JSON.writeValueAsBytes(podList());
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    private Map<String, Object> podList() {
        List<Object> items = new ArrayList<>();
        for (Pod pod : pods) {
            items.add(item(pod));
        }
        return Map.of("kind", "PodList", "apiVersion", "v1", "metadata", Map.of(), "items", items);
    }

    private Map<String, Object> item(Pod pod) {
        List<Object> specContainers = new ArrayList<>();
        List<Object> statuses = new ArrayList<>();
        for (Container c : pod.containers()) {
            specContainers.add(Map.of("name", c.name(), "image", c.image(), "resources", Map.of()));
            statuses.add(Map.of(
                    "name",
                    c.name(),
                    "state",
                    Map.of("running", Map.of("startedAt", "2026-12-01T09:12:49Z")),
                    "ready",
                    true,
                    "restartCount",
                    0,
                    "image",
                    c.image(),
                    "imageID",
                    c.image() + "@sha256:" + "2".repeat(64),
                    "containerID",
                    "containerd://" + c.containerId(),
                    "started",
                    true));
        }
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("name", pod.name());
        metadata.put("namespace", pod.namespace());
        metadata.put("uid", pod.uid());
        metadata.put("labels", pod.labels());
        return Map.of(
                "metadata", metadata,
                "spec",
                        Map.of(
                                "containers",
                                specContainers,
                                "serviceAccountName",
                                pod.serviceAccount(),
                                "serviceAccount",
                                pod.serviceAccount(),
                                "nodeName",
                                nodeName),
                "status", Map.of("phase", "Running", "containerStatuses", statuses));
    }
}
