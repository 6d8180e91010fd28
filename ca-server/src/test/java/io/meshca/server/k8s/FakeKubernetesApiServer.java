package io.meshca.server.k8s;

import com.fasterxml.jackson.databind.JsonNode;
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
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;

/**
 * A Kubernetes API server for tests, over HTTPS with its own CA: {@code POST
 * /apis/authentication.k8s.io/v1/tokenreviews}, {@code GET /api/v1/namespaces/<ns>/pods/<name>} and
 * {@code GET /api/v1/nodes/<name>}, in the API server's JSON, to a caller presenting the expected bearer
 * token (401 with a Status object otherwise, 404 for an object it does not hold).
 */
public final class FakeKubernetesApiServer implements AutoCloseable {

    public static final String CALLER_TOKEN = "eyJhbGciOiJSUzI1NiJ9.meshca-server-sa.sig";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final TestPki.Authority ca = TestPki.root(TrustDomain.parse("kubernetes.test"));
    private final Map<String, Map<String, Object>> objects = new ConcurrentHashMap<>();
    private final List<JsonNode> reviewRequests = new CopyOnWriteArrayList<>();
    private volatile Function<JsonNode, Map<String, Object>> reviewer = spec -> Map.of("authenticated", false);
    private final HttpsServer server;

    public FakeKubernetesApiServer() throws IOException, GeneralSecurityException {
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
        server.createContext("/", this::serve);
        server.start();
    }

    public String url() {
        return "https://localhost:" + server.getAddress().getPort();
    }

    /** Writes the API server's CA and this server's token, and returns the attestor block's keys for them. */
    public Map<String, Object> clientKeys(Path dir) throws IOException {
        Path caFile = Files.writeString(dir.resolve("api-ca.pem"), Pem.encodeCertificates(List.of(ca.certificate())));
        Path tokenFile = Files.writeString(dir.resolve("api-token"), CALLER_TOKEN + "\n");
        return Map.of(
                "apiServerUrl",
                url(),
                "apiServerCaFile",
                caFile.toString(),
                "apiServerTokenFile",
                tokenFile.toString());
    }

    /** Serves a pod from now on (replacing one of the same name). */
    public void putPod(String namespace, String name, String uid, String nodeName, Map<String, String> labels) {
        objects.put(
                "/api/v1/namespaces/" + namespace + "/pods/" + name,
                Map.of(
                        "kind", "Pod",
                        "apiVersion", "v1",
                        "metadata", Map.of("name", name, "namespace", namespace, "uid", uid, "labels", labels),
                        "spec", Map.of("nodeName", nodeName, "serviceAccountName", "meshca-agent"),
                        "status", Map.of("phase", "Running")));
    }

    /** Serves a node from now on (replacing one of the same name). */
    public void putNode(String name, String uid, Map<String, String> labels) {
        objects.put(
                "/api/v1/nodes/" + name,
                Map.of(
                        "kind", "Node",
                        "apiVersion", "v1",
                        "metadata", Map.of("name", name, "uid", uid, "labels", labels),
                        "spec", Map.of("podCIDR", "10.244.1.0/24"),
                        "status", Map.of("nodeInfo", Map.of("kubeletVersion", "v1.31.2"))));
    }

    public void remove(String path) {
        objects.remove(path);
    }

    /** What a TokenReview's {@code status} is, given the request's {@code spec}. */
    public void reviewWith(Function<JsonNode, Map<String, Object>> reviewer) {
        this.reviewer = reviewer;
    }

    /** The {@code spec} of every TokenReview received. */
    public List<JsonNode> reviewRequests() {
        return List.copyOf(reviewRequests);
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private void serve(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!("Bearer " + CALLER_TOKEN).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                reply(exchange, 401, status(401, "Unauthorized"));
                return;
            }
            String path = exchange.getRequestURI().getPath();
            if (path.equals("/apis/authentication.k8s.io/v1/tokenreviews")
                    && exchange.getRequestMethod().equals("POST")) {
                JsonNode request = JSON.readTree(exchange.getRequestBody());
                reviewRequests.add(request.path("spec"));
                reply(
                        exchange,
                        201,
                        Map.of(
                                "kind", "TokenReview",
                                "apiVersion", "authentication.k8s.io/v1",
                                "metadata", Map.of("creationTimestamp", "2026-12-02T10:00:00Z"),
                                "spec", request.path("spec"),
                                "status", reviewer.apply(request.path("spec"))));
                return;
            }
            Map<String, Object> object = exchange.getRequestMethod().equals("GET") ? objects.get(path) : null;
            if (object == null) {
                reply(exchange, 404, status(404, "NotFound"));
                return;
            }
            reply(exchange, 200, object);
        }
    }

    private static Map<String, Object> status(int code, String reason) {
        return Map.of("kind", "Status", "apiVersion", "v1", "status", "Failure", "reason", reason, "code", code);
    }

    private static void reply(HttpExchange exchange, int code, Object body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(code, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
