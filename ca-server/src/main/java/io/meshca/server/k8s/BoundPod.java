package io.meshca.server.k8s;

import java.util.Objects;

/**
 * What a projected service-account token is bound to: the pod it was mounted in, that pod's service
 * account and the node the pod runs on (tokens of Kubernetes 1.30 and later name the node).
 */
public record BoundPod(
        String namespace,
        String serviceAccountName,
        String serviceAccountUid,
        String podName,
        String podUid,
        String nodeName,
        String nodeUid) {

    public BoundPod {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(serviceAccountName, "serviceAccountName");
        Objects.requireNonNull(serviceAccountUid, "serviceAccountUid");
        Objects.requireNonNull(podName, "podName");
        Objects.requireNonNull(podUid, "podUid");
        Objects.requireNonNull(nodeName, "nodeName");
        Objects.requireNonNull(nodeUid, "nodeUid");
    }
}
