package io.meshca.server.attestation.node;

import io.meshca.common.error.InvalidArgumentException;
import io.meshca.common.plugin.PluginConfig;
import io.meshca.common.selector.K8sPsatSelectors;
import java.net.URI;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
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
 * </pre>
 *
 * @param serviceAccountAllowList the agents' service accounts, {@code <namespace>:<name>}
 */
public record K8sPsatConfig(
        String cluster, String issuer, Path jwksFile, String audience, Set<String> serviceAccountAllowList) {

    public static final String CLUSTER = "cluster";
    public static final String ISSUER = "issuer";
    public static final String JWKS_FILE = "jwksFile";
    public static final String AUDIENCE = "audience";
    public static final String SERVICE_ACCOUNT_ALLOW_LIST = "serviceAccountAllowList";
    public static final String DEFAULT_AUDIENCE = "meshca-server";

    public K8sPsatConfig {
        Objects.requireNonNull(cluster, "cluster");
        Objects.requireNonNull(issuer, "issuer");
        Objects.requireNonNull(audience, "audience");
        serviceAccountAllowList = Set.copyOf(serviceAccountAllowList);
    }

    /**
     * Reads and checks a {@code k8s_psat} block.
     *
     * @throws InvalidArgumentException naming the key and what is wrong with it
     */
    public static K8sPsatConfig from(PluginConfig block) {
        block.allowOnly(CLUSTER, ISSUER, JWKS_FILE, AUDIENCE, SERVICE_ACCOUNT_ALLOW_LIST);
        String where = block.path() + ".";
        String cluster = required(block, CLUSTER);
        if (!K8sPsatSelectors.CLUSTER_NAME.matcher(cluster).matches()) {
            throw new InvalidArgumentException(
                    where + CLUSTER + " " + K8sPsatSelectors.BAD_CLUSTER + ", got \"" + cluster + "\"");
        }
        String issuer = required(block, ISSUER);
        Optional<Path> jwksFile = block.path(JWKS_FILE);
        if (jwksFile.isEmpty() && !isHttpsUrl(issuer)) {
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
        return new K8sPsatConfig(cluster, issuer, jwksFile.orElse(null), audience, new LinkedHashSet<>(allowed));
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
