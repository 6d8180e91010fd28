package io.meshca.agent.attestation.workload.k8s;

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
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLContext;

/**
 * The {@code plugins.workloadAttestor.k8s} block. Its defaults suit the agent as a DaemonSet: the
 * kubelet's authenticated port on this node, the pod's service-account token and the cluster CA at the
 * paths Kubernetes mounts them.
 *
 * <ul>
 *   <li>{@code kubeletUrl}: {@code https://<host>:10250}, or {@code http://<host>:10255} for the
 *       read-only port; default {@code https://$MESHCA_NODE_IP:10250} where that variable is set (see
 *       {@link #NODE_IP_ENV}), else {@value #DEFAULT_KUBELET_URL}
 *   <li>{@code kubeletCaFile}: PEM certificates that sign the kubelet's serving certificate (HTTPS only)
 *   <li>{@code tokenFile}: the bearer token the kubelet authorizes (HTTPS only: never sent in clear)
 *   <li>{@code podCacheTtl}: how long one pod list answers, default 5s
 * </ul>
 */
record K8sAttestorSettings(
        URI kubeletUrl, Optional<List<X509Certificate>> kubeletCa, Optional<Path> tokenFile, Duration podCacheTtl) {

    static final String KUBELET_URL = "kubeletUrl";
    static final String KUBELET_CA_FILE = "kubeletCaFile";
    static final String TOKEN_FILE = "tokenFile";
    static final String POD_CACHE_TTL = "podCacheTtl";

    static final String DEFAULT_KUBELET_URL = "https://127.0.0.1:10250";
    /**
     * Where a DaemonSet's pod learns its node's IP ({@code status.hostIP} through the downward API): a
     * kubelet serving certificate signed by the cluster CA names the node's IPs, not 127.0.0.1.
     */
    static final String NODE_IP_ENV = "MESHCA_NODE_IP";

    static final Path SERVICE_ACCOUNT_DIR = Path.of("/var/run/secrets/kubernetes.io/serviceaccount");
    static final Duration DEFAULT_POD_CACHE_TTL = Duration.ofSeconds(5);

    static final String BAD_URL = "must be an http or https URL with a host and no path, e.g. " + DEFAULT_KUBELET_URL;
    static final String HTTPS_ONLY =
            "needs an https kubeletUrl: the read-only port authenticates no one, and a token must never travel"
                    + " in clear";

    /**
     * Reads the block, and the CA file it names, and checks that the token file can be read.
     *
     * @throws InvalidArgumentException naming the key and what is wrong with it
     */
    static K8sAttestorSettings parse(PluginConfig block) {
        return parse(block, System.getenv());
    }

    /** As {@link #parse(PluginConfig)}, with {@code env} as the process's environment. */
    static K8sAttestorSettings parse(PluginConfig block, Map<String, String> env) {
        block.allowOnly(KUBELET_URL, KUBELET_CA_FILE, TOKEN_FILE, POD_CACHE_TTL);
        URI url = url(block, block.string(KUBELET_URL).orElseGet(() -> defaultUrl(env)));
        Duration ttl = block.duration(POD_CACHE_TTL, DEFAULT_POD_CACHE_TTL);
        if (url.getScheme().equals("http")) {
            for (String httpsOnly : List.of(KUBELET_CA_FILE, TOKEN_FILE)) {
                if (block.string(httpsOnly).isPresent()) {
                    throw new InvalidArgumentException(block.path() + "." + httpsOnly + " " + HTTPS_ONLY);
                }
            }
            return new K8sAttestorSettings(url, Optional.empty(), Optional.empty(), ttl);
        }
        Path caFile = block.path(KUBELET_CA_FILE).orElse(SERVICE_ACCOUNT_DIR.resolve("ca.crt"));
        Path tokenFile = block.path(TOKEN_FILE).orElse(SERVICE_ACCOUNT_DIR.resolve("token"));
        List<X509Certificate> ca = certificates(block.path() + "." + KUBELET_CA_FILE, caFile);
        if (!Files.isReadable(tokenFile)) {
            throw new InvalidArgumentException(block.path() + "." + TOKEN_FILE + ": cannot read " + tokenFile);
        }
        return new K8sAttestorSettings(url, Optional.of(ca), Optional.of(tokenFile), ttl);
    }

    /** A client for the kubelet these settings name. */
    KubeletClient kubeletClient() {
        return new KubeletClient(kubeletUrl, tls(), tokenFile);
    }

    private SSLContext tls() {
        if (kubeletCa.isEmpty()) {
            try {
                return SSLContext.getDefault();
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("the JDK has no default TLS context", e);
            }
        }
        return WebPkiContexts.trusting(kubeletCa.get());
    }

    private static String defaultUrl(Map<String, String> env) {
        String nodeIp = env.getOrDefault(NODE_IP_ENV, "").strip();
        if (nodeIp.isEmpty()) {
            return DEFAULT_KUBELET_URL;
        }
        return "https://" + (nodeIp.contains(":") ? "[" + nodeIp + "]" : nodeIp) + ":10250";
    }

    private static URI url(PluginConfig block, String text) {
        String where = block.path() + "." + KUBELET_URL;
        URI url;
        try {
            url = new URI(text);
        } catch (URISyntaxException e) {
            throw new InvalidArgumentException(where + " " + BAD_URL);
        }
        boolean httpScheme = "https".equals(url.getScheme()) || "http".equals(url.getScheme());
        boolean noPath = url.getRawPath() == null
                || url.getRawPath().isEmpty()
                || url.getRawPath().equals("/");
        if (!httpScheme || url.getHost() == null || !noPath || url.getRawQuery() != null || url.getUserInfo() != null) {
            throw new InvalidArgumentException(where + " " + BAD_URL);
        }
        return url;
    }

    private static List<X509Certificate> certificates(String where, Path file) {
        String pem;
        try {
            pem = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new InvalidArgumentException(where + ": cannot read " + file);
        }
        try {
            return Pem.decodeCertificates(pem);
        } catch (InvalidArgumentException e) {
            throw new InvalidArgumentException(where + ": " + file + " holds no PEM certificate");
        }
    }
}
