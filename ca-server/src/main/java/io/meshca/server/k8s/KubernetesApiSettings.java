package io.meshca.server.k8s;

import io.meshca.common.error.InvalidArgumentException;
import io.meshca.common.pki.Pem;
import io.meshca.common.plugin.PluginConfig;
import io.meshca.common.tls.WebPkiContexts;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Where a cluster's API server is and how this server reaches it: {@code apiServerUrl},
 * {@code apiServerCaFile}, {@code apiServerTokenFile} of a plugin block. The defaults are those of a pod
 * in the cluster: the {@code KUBERNETES_SERVICE_HOST}/{@code _PORT} that Kubernetes sets in every
 * container, and the service account's CA and token at their mounted paths.
 */
public record KubernetesApiSettings(URI url, List<X509Certificate> ca, Path tokenFile) {

    public static final String API_SERVER_URL = "apiServerUrl";
    public static final String API_SERVER_CA_FILE = "apiServerCaFile";
    public static final String API_SERVER_TOKEN_FILE = "apiServerTokenFile";
    public static final List<String> KEYS = List.of(API_SERVER_URL, API_SERVER_CA_FILE, API_SERVER_TOKEN_FILE);

    static final Path SERVICE_ACCOUNT_DIR = Path.of("/var/run/secrets/kubernetes.io/serviceaccount");
    static final String NOT_IN_CLUSTER = "is required outside a Kubernetes pod (KUBERNETES_SERVICE_HOST is not set)";
    static final String BAD_URL = "must be an https URL with a host and no path, e.g. https://kubernetes.default.svc";

    public KubernetesApiSettings {
        Objects.requireNonNull(url, "url");
        ca = List.copyOf(ca);
        Objects.requireNonNull(tokenFile, "tokenFile");
    }

    /**
     * Reads the API server keys of {@code block}, with the in-cluster defaults from {@code env}, and the CA
     * file they name; checks that the token file can be read.
     *
     * @throws InvalidArgumentException naming the key and what is wrong with it
     */
    public static KubernetesApiSettings parse(PluginConfig block, Map<String, String> env) {
        String where = block.path() + ".";
        String text = block.string(API_SERVER_URL).orElseGet(() -> inCluster(env, where));
        URI url = url(where + API_SERVER_URL, text);
        Path caFile = block.path(API_SERVER_CA_FILE).orElse(SERVICE_ACCOUNT_DIR.resolve("ca.crt"));
        Path tokenFile = block.path(API_SERVER_TOKEN_FILE).orElse(SERVICE_ACCOUNT_DIR.resolve("token"));
        List<X509Certificate> ca;
        try {
            ca = Pem.decodeCertificates(Files.readString(caFile, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new InvalidArgumentException(where + API_SERVER_CA_FILE + ": cannot read " + caFile);
        } catch (InvalidArgumentException e) {
            throw new InvalidArgumentException(
                    where + API_SERVER_CA_FILE + ": " + caFile + " holds no PEM certificate");
        }
        if (!Files.isReadable(tokenFile)) {
            throw new InvalidArgumentException(where + API_SERVER_TOKEN_FILE + ": cannot read " + tokenFile);
        }
        return new KubernetesApiSettings(url, ca, tokenFile);
    }

    /** A client for the API server these settings name. */
    public KubernetesApi client() {
        return new KubernetesApiClient(url, WebPkiContexts.trusting(ca), tokenFile);
    }

    private static String inCluster(Map<String, String> env, String where) {
        String host = env.getOrDefault("KUBERNETES_SERVICE_HOST", "").strip();
        if (host.isEmpty()) {
            throw new InvalidArgumentException(where + API_SERVER_URL + " " + NOT_IN_CLUSTER);
        }
        String port = env.getOrDefault("KUBERNETES_SERVICE_PORT", "443").strip();
        return "https://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    private static URI url(String where, String text) {
        try {
            URI url = new URI(text);
            boolean noPath = url.getRawPath() == null
                    || url.getRawPath().isEmpty()
                    || url.getRawPath().equals("/");
            if ("https".equals(url.getScheme())
                    && url.getHost() != null
                    && noPath
                    && url.getRawQuery() == null
                    && url.getUserInfo() == null) {
                return url;
            }
        } catch (URISyntaxException e) {
            // the same message as any other bad URL
        }
        throw new InvalidArgumentException(where + " " + BAD_URL);
    }
}
