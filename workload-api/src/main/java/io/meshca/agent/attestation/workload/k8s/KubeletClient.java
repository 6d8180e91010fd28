package io.meshca.agent.attestation.workload.k8s;

import io.meshca.agent.attestation.workload.k8s.KubeletPods.Pod;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.SSLContext;

/**
 * Lists the node's pods with the kubelet's {@code GET /pods}: over HTTPS on its authenticated port
 * (10250) with a bearer token, or over plain HTTP on its read-only port where a cluster still opens
 * one. The token is read from its file on every request, because a projected service-account token is
 * rotated by the kubelet while the agent runs.
 */
public final class KubeletClient implements PodSource {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final URI podsUri;
    private final Optional<Path> tokenFile;
    private final HttpClient http;

    /**
     * @param kubeletUrl the kubelet's base URL, {@code https://<host>:10250} or {@code http://<host>:10255}
     * @param tls trusts the kubelet's serving certificate; unused for plain HTTP
     * @param tokenFile the bearer token, sent only over HTTPS
     */
    public KubeletClient(URI kubeletUrl, SSLContext tls, Optional<Path> tokenFile) {
        this.podsUri = Objects.requireNonNull(kubeletUrl, "kubeletUrl").resolve("/pods");
        this.tokenFile = Objects.requireNonNull(tokenFile, "tokenFile");
        this.http = HttpClient.newBuilder()
                .sslContext(Objects.requireNonNull(tls, "tls"))
                .connectTimeout(TIMEOUT)
                .build();
    }

    @Override
    public List<Pod> pods() throws IOException {
        HttpRequest.Builder request = HttpRequest.newBuilder(podsUri)
                .timeout(TIMEOUT)
                .header("Accept", "application/json")
                .GET();
        if (tokenFile.isPresent()) {
            request.header("Authorization", "Bearer " + token(tokenFile.get()));
        }
        HttpResponse<byte[]> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while asking the kubelet for its pods", e);
        }
        if (response.statusCode() != 200) {
            throw new IOException("the kubelet answered " + podsUri + " with HTTP " + response.statusCode());
        }
        return KubeletPods.parse(response.body());
    }

    private static String token(Path file) throws IOException {
        String token = Files.readString(file, StandardCharsets.UTF_8).strip();
        if (token.isEmpty()) {
            throw new IOException("the token file " + file + " is empty");
        }
        return token;
    }
}
