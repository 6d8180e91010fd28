package io.meshca.server.k8s;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.SSLContext;

/**
 * {@link KubernetesApi} over the API server's REST API, HTTPS only, authenticated with the server pod's
 * own service-account token. The token is read from its file on every request: the kubelet rotates a
 * projected token while the server runs. Responses are read leniently (unknown fields ignored), as the
 * API server adds fields from release to release.
 */
public final class KubernetesApiClient implements KubernetesApi {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final ObjectMapper JSON =
            new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private final URI baseUrl;
    private final Path tokenFile;
    private final HttpClient http;

    /**
     * @param baseUrl the API server, {@code https://<host>:<port>}
     * @param tls trusts the API server's serving certificate (the cluster CA)
     * @param tokenFile the bearer token this server presents
     */
    public KubernetesApiClient(URI baseUrl, SSLContext tls, Path tokenFile) {
        this.baseUrl = Objects.requireNonNull(baseUrl, "baseUrl");
        this.tokenFile = Objects.requireNonNull(tokenFile, "tokenFile");
        this.http = HttpClient.newBuilder()
                .sslContext(Objects.requireNonNull(tls, "tls"))
                .connectTimeout(TIMEOUT)
                .build();
    }

    @Override
    public TokenReview review(String token, String audience) throws IOException {
        Map<String, Object> request = Map.of(
                "apiVersion", "authentication.k8s.io/v1",
                "kind", "TokenReview",
                "spec", Map.of("token", token, "audiences", List.of(audience)));
        HttpResponse<byte[]> response = send(
                "/apis/authentication.k8s.io/v1/tokenreviews",
                HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(request)));
        if (response.statusCode() != 201 && response.statusCode() != 200) {
            throw failed("a TokenReview", response);
        }
        JsonNode status = JSON.readTree(response.body()).path("status");
        JsonNode user = status.path("user");
        Map<String, List<String>> extra = new LinkedHashMap<>();
        user.path("extra").fields().forEachRemaining(e -> extra.put(e.getKey(), texts(e.getValue())));
        return new TokenReview(
                status.path("authenticated").asBoolean(false),
                status.path("error").asText(""),
                user.path("username").asText(""),
                user.path("uid").asText(""),
                texts(status.path("audiences")),
                extra);
    }

    @Override
    public Optional<ClusterObject> pod(String namespace, String name) throws IOException {
        return object("/api/v1/namespaces/" + segment(namespace) + "/pods/" + segment(name), "pod");
    }

    @Override
    public Optional<ClusterObject> node(String name) throws IOException {
        return object("/api/v1/nodes/" + segment(name), "node");
    }

    private Optional<ClusterObject> object(String path, String what) throws IOException {
        HttpResponse<byte[]> response = send(path, null);
        if (response.statusCode() == 404) {
            return Optional.empty();
        }
        if (response.statusCode() != 200) {
            throw failed("a " + what, response);
        }
        JsonNode object = JSON.readTree(response.body());
        JsonNode metadata = object.path("metadata");
        Map<String, String> labels = new LinkedHashMap<>();
        metadata.path("labels")
                .fields()
                .forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText("")));
        return Optional.of(new ClusterObject(
                metadata.path("name").asText(""),
                metadata.path("uid").asText(""),
                labels,
                object.path("spec").path("nodeName").asText("")));
    }

    private HttpResponse<byte[]> send(String path, HttpRequest.BodyPublisher post) throws IOException {
        HttpRequest.Builder request = HttpRequest.newBuilder(baseUrl.resolve(path))
                .timeout(TIMEOUT)
                .header("Accept", "application/json")
                .header("Authorization", "Bearer " + token());
        if (post == null) {
            request.GET();
        } else {
            request.header("Content-Type", "application/json").POST(post);
        }
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while asking the Kubernetes API server", e);
        }
    }

    private String token() throws IOException {
        String token = Files.readString(tokenFile, StandardCharsets.UTF_8).strip();
        if (token.isEmpty()) {
            throw new IOException("the token file " + tokenFile + " is empty");
        }
        return token;
    }

    private IOException failed(String what, HttpResponse<?> response) {
        // the body is not quoted: a Status object may echo what was sent
        return new IOException("the Kubernetes API server answered " + what + " request with HTTP "
                + response.statusCode() + " (" + baseUrl + ")");
    }

    private static List<String> texts(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(v -> values.add(v.asText("")));
        return values;
    }

    private static String segment(String name) {
        return URLEncoder.encode(name, StandardCharsets.UTF_8);
    }
}
