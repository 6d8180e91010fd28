package io.meshca.agent.attestation.node;

import io.meshca.common.error.FailedPreconditionException;
import io.meshca.common.error.InvalidArgumentException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/**
 * A cloud instance's metadata service at its link-local address ({@code http://169.254.169.254}): plain
 * HTTP, never through a proxy (a proxy would fetch the proxy host's metadata, or leak the node's), with
 * short timeouts so that an agent off the cloud fails at once with a message that says where it looked.
 */
final class MetadataService {

    /** The metadata service answers within milliseconds on the instance; longer means it is not there. */
    static final Duration TIMEOUT = Duration.ofSeconds(5);
    /** Identity documents, signatures and tokens are a few KB. */
    static final int MAX_RESPONSE_CHARS = 64 * 1024;

    private final URI base;
    private final String what;
    private final HttpClient http;

    /**
     * @param base the service's URL, e.g. {@code http://169.254.169.254}
     * @param what whose service it is, for messages: {@code EC2 instance metadata service}
     */
    MetadataService(URI base, String what) {
        this.base = base;
        this.what = what;
        this.http = HttpClient.newBuilder()
                .connectTimeout(TIMEOUT)
                .proxy(HttpClient.Builder.NO_PROXY)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /**
     * Reads the {@code metadataUrl} key of a block: an {@code http://} URL (the service speaks no TLS).
     *
     * @throws InvalidArgumentException naming the key
     */
    static URI url(String key, String value) {
        URI uri;
        try {
            uri = URI.create(value.endsWith("/") ? value.substring(0, value.length() - 1) : value);
        } catch (IllegalArgumentException e) {
            throw new InvalidArgumentException(key + " is not a URL, got \"" + value + "\"");
        }
        if (!"http".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
            throw new InvalidArgumentException(key + " must be an http:// URL, got \"" + value + "\"");
        }
        return uri;
    }

    URI base() {
        return base;
    }

    /** GETs {@code pathAndQuery} with these headers; the body if the answer is 200. */
    String get(String pathAndQuery, Map<String, String> headers) {
        return send("GET", pathAndQuery, headers);
    }

    /** PUTs an empty body to {@code path} with these headers; the body if the answer is 200. */
    String put(String path, Map<String, String> headers) {
        return send("PUT", path, headers);
    }

    private String send(String method, String pathAndQuery, Map<String, String> headers) {
        URI uri = URI.create(base + pathAndQuery);
        HttpRequest.Builder request =
                HttpRequest.newBuilder(uri).timeout(TIMEOUT).method(method, HttpRequest.BodyPublishers.noBody());
        headers.forEach(request::header);
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new FailedPreconditionException("cannot reach the " + what + " at " + base + " (" + method + " "
                    + path(uri) + ": " + e.getClass().getSimpleName() + "): is this agent running on the"
                    + " instance, and is metadataUrl right?");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FailedPreconditionException("interrupted while asking the " + what + " at " + base);
        }
        if (response.statusCode() != 200) {
            throw new FailedPreconditionException("the " + what + " at " + base + " answered " + method + " "
                    + path(uri) + " with HTTP " + response.statusCode());
        }
        String body = response.body();
        if (body.length() > MAX_RESPONSE_CHARS) {
            throw new FailedPreconditionException("the " + what + " at " + base + " answered " + method + " "
                    + path(uri) + " with more than " + MAX_RESPONSE_CHARS + " characters");
        }
        return body;
    }

    /** The path without the query: a query may name a resource but never carries a secret; keep messages short. */
    private static String path(URI uri) {
        return uri.getRawPath();
    }
}
