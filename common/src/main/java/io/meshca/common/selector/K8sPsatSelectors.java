package io.meshca.common.selector;

import io.meshca.common.selector.KeyedSelectorVocabulary.Rule;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The {@code k8s_psat} node selectors, {@code k8s_psat:<key>:<value>}: what the server learns from an
 * agent's projected service-account token. The attestor builds its selectors with these keys and entries
 * are checked with {@link #VOCABULARY}, so the two cannot drift apart. Values follow the Kubernetes
 * naming rules, so a selector no token can ever carry is refused when the entry is written.
 */
public final class K8sPsatSelectors {

    public static final String TYPE = "k8s_psat";
    /** The cluster name the server's config gives the token's issuer. */
    public static final String CLUSTER = "cluster";
    /** The agent pod's namespace. */
    public static final String AGENT_NS = "agent_ns";
    /** The agent pod's service account. */
    public static final String AGENT_SA = "agent_sa";
    /** The agent pod's name. */
    public static final String AGENT_POD_NAME = "agent_pod_name";
    /** The agent pod's UID. */
    public static final String AGENT_POD_UID = "agent_pod_uid";
    /** The agent's node name (tokens of Kubernetes 1.30 and later). */
    public static final String AGENT_NODE_NAME = "agent_node_name";
    /** The agent's node UID (tokens of Kubernetes 1.30 and later). */
    public static final String AGENT_NODE_UID = "agent_node_uid";
    /** A label of the agent's node, {@code agent_node_label:<key>:<value>} (from the API server, allowed keys only). */
    public static final String AGENT_NODE_LABEL = "agent_node_label";
    /** A label of the agent's pod, {@code agent_pod_label:<key>:<value>} (from the API server, allowed keys only). */
    public static final String AGENT_POD_LABEL = "agent_pod_label";

    public static final String BAD_CLUSTER = "must be letters, digits, '.', '_' or '-'";
    public static final String BAD_LABEL = "must be a DNS label (lowercase letters, digits, '-'; at most 63)";
    public static final String BAD_SUBDOMAIN =
            "must be a DNS subdomain (lowercase letters, digits, '-', '.'; at most 253)";
    public static final String BAD_UID = "must be a lowercase UUID";
    public static final String BAD_LABEL_SELECTOR = "must have the form <key>:<value> with a non-empty key";

    /** A cluster name is a segment of the agent's SPIFFE ID path, so it keeps to the characters one allows. */
    public static final Pattern CLUSTER_NAME = Pattern.compile("[A-Za-z0-9._-]+");

    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    private static final Pattern SUBDOMAIN =
            Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    private static final Pattern UUID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    private static final Rule NAME = new Rule(K8sPsatSelectors::isSubdomain, BAD_SUBDOMAIN);
    private static final Rule ID = new Rule(v -> UUID.matcher(v).matches(), BAD_UID);

    // a label's value may be empty; its key may not
    private static final Rule KEY_VALUE = new Rule(v -> v.indexOf(':') > 0, BAD_LABEL_SELECTOR);

    private static final Map<String, Rule> RULES = Map.of(
            CLUSTER, new Rule(v -> CLUSTER_NAME.matcher(v).matches(), BAD_CLUSTER),
            AGENT_NS, new Rule(v -> LABEL.matcher(v).matches(), BAD_LABEL),
            AGENT_SA, NAME,
            AGENT_POD_NAME, NAME,
            AGENT_POD_UID, ID,
            AGENT_NODE_NAME, NAME,
            AGENT_NODE_UID, ID,
            AGENT_NODE_LABEL, KEY_VALUE,
            AGENT_POD_LABEL, KEY_VALUE);

    public static final SelectorVocabulary VOCABULARY = new KeyedSelectorVocabulary(TYPE, RULES);

    private K8sPsatSelectors() {}

    /** {@code key:value}, the value of a {@code k8s_psat} selector. */
    public static String value(String key, String value) {
        return key + ":" + value;
    }

    /** {@code <label kind>:<key>:<value>}, the value of a node or pod label's selector. */
    public static String label(String labelKind, String key, String value) {
        return labelKind + ":" + key + ":" + value;
    }

    private static boolean isSubdomain(String value) {
        return value.length() <= 253 && SUBDOMAIN.matcher(value).matches();
    }
}
