package io.meshca.common.selector;

import io.meshca.common.selector.KeyedSelectorVocabulary.Rule;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The {@code k8s} selectors of the agent's Kubernetes workload attestor, {@code k8s:<key>:<value>}: the
 * pod and container a process runs in, as the kubelet describes them. The attestor builds its selectors
 * with these keys and the server checks entries with {@link #VOCABULARY}, so the two cannot drift apart.
 * The value rules are Kubernetes' own name rules: a name the API server would refuse is on no pod.
 */
public final class K8sSelectors {

    public static final String TYPE = "k8s";
    /** The pod's namespace. */
    public static final String NAMESPACE = "ns";
    /** The pod's service account. */
    public static final String SERVICE_ACCOUNT = "sa";

    public static final String POD_NAME = "pod-name";
    public static final String POD_UID = "pod-uid";
    /** Each label of the pod, {@code pod-label:<key>:<value>}. */
    public static final String POD_LABEL = "pod-label";

    public static final String CONTAINER_NAME = "container-name";
    /** The container's image as the pod names it, and the image ID the runtime resolved it to. */
    public static final String CONTAINER_IMAGE = "container-image";
    /** The node the pod is scheduled on. */
    public static final String NODE_NAME = "node-name";

    public static final String BAD_LABEL_NAME =
            "must be a DNS label: at most 63 lowercase letters, digits and dashes, starting and ending"
                    + " with a letter or digit";
    public static final String BAD_SUBDOMAIN =
            "must be a DNS subdomain: at most 253 lowercase letters, digits, dashes and dots";
    public static final String BAD_UID = "must be a UUID in lowercase hex, e.g. 0f6e2c1a-8c2b-4f4e-9a34-2b1f5c3d7e90";
    public static final String BAD_POD_LABEL = "must have the form pod-label:<key>:<value> with a non-empty key";
    public static final String EMPTY = "must not be empty";

    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    private static final Pattern DNS_SUBDOMAIN =
            Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    private static final Pattern UUID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    private static final int MAX_SUBDOMAIN = 253;

    private static final Map<String, Rule> RULES = Map.of(
            NAMESPACE, new Rule(K8sSelectors::isDnsLabel, BAD_LABEL_NAME),
            SERVICE_ACCOUNT, new Rule(K8sSelectors::isDnsSubdomain, BAD_SUBDOMAIN),
            POD_NAME, new Rule(K8sSelectors::isDnsSubdomain, BAD_SUBDOMAIN),
            POD_UID, new Rule(v -> UUID.matcher(v).matches(), BAD_UID),
            // a label's value may be empty; its key may not
            POD_LABEL, new Rule(v -> v.indexOf(':') > 0, BAD_POD_LABEL),
            CONTAINER_NAME, new Rule(K8sSelectors::isDnsLabel, BAD_LABEL_NAME),
            CONTAINER_IMAGE, new Rule(v -> !v.isEmpty(), EMPTY),
            NODE_NAME, new Rule(K8sSelectors::isDnsSubdomain, BAD_SUBDOMAIN));

    public static final SelectorVocabulary VOCABULARY = new KeyedSelectorVocabulary(TYPE, RULES);

    private K8sSelectors() {}

    /** {@code key:value}, the value of a {@code k8s} selector. */
    public static String value(String key, String value) {
        return key + ":" + value;
    }

    /** {@code pod-label:key:value}, the value of a pod label's selector. */
    public static String label(String key, String value) {
        return POD_LABEL + ":" + key + ":" + value;
    }

    private static boolean isDnsLabel(String value) {
        return DNS_LABEL.matcher(value).matches();
    }

    private static boolean isDnsSubdomain(String value) {
        return value.length() <= MAX_SUBDOMAIN && DNS_SUBDOMAIN.matcher(value).matches();
    }
}
