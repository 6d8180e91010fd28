package io.meshca.server.attestation.node;

import io.meshca.common.error.InvalidArgumentException;
import io.meshca.common.plugin.PluginConfig;
import io.meshca.common.selector.K8sPsatSelectors;
import io.meshca.server.k8s.KubernetesApiSettings;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code k8s_psat} block: one cluster, whose token issuer the server trusts.
 * <pre>
 * k8s_psat:
 *   cluster: prod                                   # in the agent ID and the cluster selector
 *   issuer: https://kubernetes.default.svc.cluster.local
 *   jwksFile: /etc/meshca/prod-jwks.json            # optional; without it, OIDC discovery at the issuer
 *   audience: meshca-server                         # the default
 *   serviceAccountAllowList: ["meshca-system:meshca-agent"]
 *   # optional, each needs the API server (see below):
 *   useTokenReview: false                           # true: the API server checks tokens (TokenReview)
 *   allowedNodeLabelKeys: [topology.kubernetes.io/zone]   # node labels that become selectors
 *   allowedPodLabelKeys: [app.kubernetes.io/name]         # agent pod labels that become selectors
 *   apiServerUrl: https://kubernetes.default.svc    # default: KUBERNETES_SERVICE_HOST/_PORT in a pod
 *   apiServerCaFile: ...                            # default: the service account's ca.crt
 *   apiServerTokenFile: ...                         # default: the service account's token
 * </pre>
 *
 * Setting any of the optional keys makes the server ask the API server at every attestation: the pod
 * the token is bound to must still exist with the token's pod UID on the token's node, and the node with
 * the token's node UID (a token of a deleted pod or node is refused before it expires), and the allowed
 * labels become {@code agent_node_label:<key>:<value>} and {@code agent_pod_label:<key>:<value>}
 * selectors. With {@code useTokenReview}, tokens are checked by the API server instead of the issuer's
 * keys, and {@code issuer} may be left out.
 *
 * @param issuer the tokens' {@code iss}; null only with {@code useTokenReview}
 * @param serviceAccountAllowList the agents' service accounts, {@code <namespace>:<name>}
 * @param apiServer where the API server is; null if no lookup is configured
 */
public record K8sPsatConfig(
        String cluster,
        String issuer,
        Path jwksFile,
        String audience,
        Set<String> serviceAccountAllowList,
        boolean useTokenReview,
        Set<String> allowedNodeLabelKeys,
        Set<String> allowedPodLabelKeys,
        KubernetesApiSettings apiServer) {

    public static final String CLUSTER = "cluster";
    public static final String ISSUER = "issuer";
    public static final String JWKS_FILE = "jwksFile";
    public static final String AUDIENCE = "audience";
    public static final String SERVICE_ACCOUNT_ALLOW_LIST = "serviceAccountAllowList";
    public static final String USE_TOKEN_REVIEW = "useTokenReview";
    public static final String ALLOWED_NODE_LABEL_KEYS = "allowedNodeLabelKeys";
    public static final String ALLOWED_POD_LABEL_KEYS = "allowedPodLabelKeys";
    public static final String DEFAULT_AUDIENCE = "meshca-server";

    public K8sPsatConfig {
        Objects.requireNonNull(cluster, "cluster");
        if (issuer == null && !useTokenReview) {
            throw new IllegalArgumentException("an issuer is required unless the API server reviews tokens");
        }
        Objects.requireNonNull(audience, "audience");
        serviceAccountAllowList = Set.copyOf(serviceAccountAllowList);
        allowedNodeLabelKeys = Set.copyOf(allowedNodeLabelKeys);
        allowedPodLabelKeys = Set.copyOf(allowedPodLabelKeys);
        if (apiServer == null
                && (useTokenReview || !allowedNodeLabelKeys.isEmpty() || !allowedPodLabelKeys.isEmpty())) {
            throw new IllegalArgumentException("TokenReview and label lookups need the API server's settings");
        }
    }

    /** A config that verifies tokens with the issuer's keys alone and asks the API server nothing. */
    public K8sPsatConfig(
            String cluster, String issuer, Path jwksFile, String audience, Set<String> serviceAccountAllowList) {
        this(cluster, issuer, jwksFile, audience, serviceAccountAllowList, false, Set.of(), Set.of(), null);
    }

    /**
     * Reads and checks a {@code k8s_psat} block.
     *
     * @throws InvalidArgumentException naming the key and what is wrong with it
     */
    public static K8sPsatConfig from(PluginConfig block) {
        return from(block, System.getenv());
    }

    /** As {@link #from(PluginConfig)}, with {@code env} as the process's environment (the in-cluster defaults). */
    public static K8sPsatConfig from(PluginConfig block, Map<String, String> env) {
        List<String> keys = new ArrayList<>(List.of(
                CLUSTER,
                ISSUER,
                JWKS_FILE,
                AUDIENCE,
                SERVICE_ACCOUNT_ALLOW_LIST,
                USE_TOKEN_REVIEW,
                ALLOWED_NODE_LABEL_KEYS,
                ALLOWED_POD_LABEL_KEYS));
        keys.addAll(KubernetesApiSettings.KEYS);
        block.allowOnly(keys.toArray(String[]::new));
        String where = block.path() + ".";
        String cluster = required(block, CLUSTER);
        if (!K8sPsatSelectors.CLUSTER_NAME.matcher(cluster).matches()) {
            throw new InvalidArgumentException(
                    where + CLUSTER + " " + K8sPsatSelectors.BAD_CLUSTER + ", got \"" + cluster + "\"");
        }
        boolean useTokenReview = bool(block, USE_TOKEN_REVIEW);
        List<String> nodeLabelKeys = block.strings(ALLOWED_NODE_LABEL_KEYS);
        List<String> podLabelKeys = block.strings(ALLOWED_POD_LABEL_KEYS);
        boolean lookups = useTokenReview
                || !nodeLabelKeys.isEmpty()
                || !podLabelKeys.isEmpty()
                || KubernetesApiSettings.KEYS.stream()
                        .anyMatch(k -> block.string(k).isPresent());
        KubernetesApiSettings apiServer = lookups ? KubernetesApiSettings.parse(block, env) : null;
        String issuer =
                useTokenReview ? block.string(ISSUER).filter(v -> !v.isBlank()).orElse(null) : required(block, ISSUER);
        Optional<Path> jwksFile = block.path(JWKS_FILE);
        if (useTokenReview && jwksFile.isPresent()) {
            throw new InvalidArgumentException(where + JWKS_FILE + " has no use with " + where + USE_TOKEN_REVIEW
                    + ": the API server checks the tokens");
        }
        if (!useTokenReview && jwksFile.isEmpty() && !isHttpsUrl(issuer)) {
            throw new InvalidArgumentException(where + ISSUER + " must be an https:// URL for OIDC discovery (or set "
                    + where + JWKS_FILE + "), got \"" + issuer + "\"");
        }
        String audience = block.string(AUDIENCE).orElse(DEFAULT_AUDIENCE);
        if (audience.isBlank()) {
            throw new InvalidArgumentException(where + AUDIENCE + " must not be empty");
        }
        List<String> allowed = block.strings(SERVICE_ACCOUNT_ALLOW_LIST);
        if (allowed.isEmpty()) {
            throw new InvalidArgumentException(where + SERVICE_ACCOUNT_ALLOW_LIST
                    + " is required: the <namespace>:<name> of the service accounts agents run as");
        }
        for (String account : allowed) {
            String[] parts = account.split(":", -1);
            if (parts.length != 2 || parts[0].isEmpty() || parts[1].isEmpty()) {
                throw new InvalidArgumentException(where + SERVICE_ACCOUNT_ALLOW_LIST
                        + " entries have the form <namespace>:<name>, got \"" + account + "\"");
            }
        }
        return new K8sPsatConfig(
                cluster,
                issuer,
                jwksFile.orElse(null),
                audience,
                new LinkedHashSet<>(allowed),
                useTokenReview,
                new LinkedHashSet<>(nodeLabelKeys),
                new LinkedHashSet<>(podLabelKeys),
                apiServer);
    }

    /** The API server's settings, if any lookup is configured. */
    public Optional<KubernetesApiSettings> apiServerSettings() {
        return Optional.ofNullable(apiServer);
    }

    private static boolean bool(PluginConfig block, String key) {
        String text = block.string(key).orElse("false");
        return switch (text) {
            case "true" -> true;
            case "false" -> false;
            default ->
                throw new InvalidArgumentException(
                        block.path() + "." + key + " must be true or false, got \"" + text + "\"");
        };
    }

    /** The JWKS file, if the keys are not found through OIDC discovery. */
    public Optional<Path> jwksFilePath() {
        return Optional.ofNullable(jwksFile);
    }

    private static String required(PluginConfig block, String key) {
        return block.string(key)
                .filter(v -> !v.isBlank())
                .orElseThrow(() -> new InvalidArgumentException(block.path() + "." + key + " is required"));
    }

    private static boolean isHttpsUrl(String text) {
        try {
            URI uri = URI.create(text);
            return "https".equalsIgnoreCase(uri.getScheme()) && uri.getHost() != null;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
