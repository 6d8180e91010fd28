package io.meshca.agent.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * A cloud metadata service on 127.0.0.1 for tests, answering as the real ones do: EC2's IMDSv2 (a PUT for
 * a session token, then reads that must carry it) and Azure's managed-identity token endpoint (which
 * wants {@code Metadata: true}). A request without what the real service insists on gets its status code
 * (401, 400). Every request is recorded.
 */
public final class FakeMetadataService implements AutoCloseable {

    /** One request as the service saw it. */
    public record Request(String method, String path, String query, Map<String, List<String>> headers) {
        public String header(String name) {
            return headers.entrySet().stream()
                    .filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().get(0))
                    .findFirst()
                    .orElse(null);
        }
    }

    public static final String IMDS_TOKEN = "AQAEAGWf5e0_session-token==";

    private final HttpServer http;
    private final List<Request> requests = new CopyOnWriteArrayList<>();

    /**
     * @param document the EC2 identity document; {@code rsa2048} its signature
     * @param azureToken what the Azure endpoint gives as access_token, for any resource asked
     */
    public FakeMetadataService(Supplier<String> document, Supplier<String> rsa2048, Supplier<String> azureToken) {
        try {
            http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        http.createContext("/latest/api/token", exchange -> {
            Request r = record(exchange);
            if (!r.method().equals("PUT") || r.header("X-aws-ec2-metadata-token-ttl-seconds") == null) {
                answer(exchange, 400, "");
            } else {
                answer(exchange, 200, IMDS_TOKEN);
            }
        });
        http.createContext("/latest/dynamic/instance-identity/document", ec2(document));
        http.createContext("/latest/dynamic/instance-identity/rsa2048", ec2(rsa2048));
        http.createContext("/metadata/identity/oauth2/token", exchange -> {
            Request r = record(exchange);
            if (!"true".equals(r.header("Metadata"))) {
                answer(
                        exchange,
                        400,
                        "{\"error\":\"invalid_request\",\"error_description\":\"Required metadata header"
                                + " not specified\"}");
                return;
            }
            String resource = param(r.query(), "resource");
            answer(
                    exchange,
                    200,
                    "{\"access_token\":\"" + azureToken.get()
                            + "\",\"client_id\":\"9a8b7c6d\",\"expires_in\":\"86399\","
                            + "\"expires_on\":\"1772452800\",\"ext_expires_in\":\"86399\",\"not_before\":\"1772366100\","
                            + "\"resource\":\"" + resource + "\",\"token_type\":\"Bearer\"}");
        });
        http.start();
    }

    private HttpHandler ec2(Supplier<String> body) {
        return exchange -> {
            Request r = record(exchange);
            if (!IMDS_TOKEN.equals(r.header("X-aws-ec2-metadata-token"))) {
                answer(exchange, 401, "");
            } else {
                answer(exchange, 200, body.get());
            }
        };
    }

    /** {@code http://127.0.0.1:<port>}, the metadataUrl of an agent that uses this service. */
    public String url() {
        return "http://127.0.0.1:" + http.getAddress().getPort();
    }

    public List<Request> requests() {
        return List.copyOf(requests);
    }

    private Request record(HttpExchange exchange) {
        Request r = new Request(
                exchange.getRequestMethod(),
                exchange.getRequestURI().getPath(),
                exchange.getRequestURI().getRawQuery(),
                Map.copyOf(exchange.getRequestHeaders()));
        requests.add(r);
        return r;
    }

    private static String param(String query, String name) {
        if (query == null) {
            return null;
        }
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && pair.substring(0, eq).equals(name)) {
                return URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    private static void answer(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
        exchange.close();
    }

    @Override
    public void close() {
        http.stop(0);
    }
}
