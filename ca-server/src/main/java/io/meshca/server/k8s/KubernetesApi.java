package io.meshca.server.k8s;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What the server asks a cluster's API server: whether it authenticates a token (TokenReview), and the
 * pod and node objects a token is bound to. Each call needs its own RBAC verb, which the deployment
 * grants only where the config uses it ({@code create tokenreviews}, {@code get pods}, {@code get nodes}).
 */
public interface KubernetesApi {

    /**
     * Asks the API server to review {@code token} for {@code audience}.
     *
     * @return the API server's answer; a token it does not authenticate is a result, not an exception
     * @throws IOException if the API server cannot be reached or answers with an error status
     */
    TokenReview review(String token, String audience) throws IOException;

    /**
     * The pod, or empty if the API server has no such pod (404).
     *
     * @throws IOException if the API server cannot be reached or answers with another error
     */
    Optional<ClusterObject> pod(String namespace, String name) throws IOException;

    /**
     * The node, or empty if the API server has no such node (404).
     *
     * @throws IOException if the API server cannot be reached or answers with another error
     */
    Optional<ClusterObject> node(String name) throws IOException;

    /**
     * An object's identity and labels; for a pod also the node it is scheduled on.
     *
     * @param nodeName the pod's {@code spec.nodeName}; empty for a node or an unscheduled pod
     */
    record ClusterObject(String name, String uid, Map<String, String> labels, String nodeName) {
        public ClusterObject {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(uid, "uid");
            labels = Map.copyOf(labels);
            Objects.requireNonNull(nodeName, "nodeName");
        }
    }

    /**
     * A TokenReview's status.
     *
     * @param authenticated whether the API server accepted the token for the audience
     * @param error the API server's reason when it did not (may be empty)
     * @param username {@code system:serviceaccount:<ns>:<name>} for a service account's token
     * @param uid the service account's UID
     * @param audiences the audiences the API server checked the token against
     * @param extra what the API server knows of the token's binding: {@code
     *     authentication.kubernetes.io/pod-name}, {@code pod-uid}, {@code node-name}, {@code node-uid}
     */
    record TokenReview(
            boolean authenticated,
            String error,
            String username,
            String uid,
            List<String> audiences,
            Map<String, List<String>> extra) {
        public TokenReview {
            Objects.requireNonNull(error, "error");
            Objects.requireNonNull(username, "username");
            Objects.requireNonNull(uid, "uid");
            audiences = List.copyOf(audiences);
            extra = Map.copyOf(extra);
        }

        /** The one value of an {@code authentication.kubernetes.io/<name>} extra, if the API server gave it. */
        public Optional<String> extra(String name) {
            List<String> values = extra.getOrDefault("authentication.kubernetes.io/" + name, List.of());
            return values.size() == 1 && !values.get(0).isEmpty() ? Optional.of(values.get(0)) : Optional.empty();
        }
    }
}
