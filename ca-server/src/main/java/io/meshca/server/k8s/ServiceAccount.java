package io.meshca.server.k8s;

import io.meshca.common.spiffe.SpiffeId;
import io.meshca.common.spiffe.TrustDomain;
import java.util.Objects;

/** A Kubernetes service account, as a token names it; Istio's identity for it is {@code /ns/<ns>/sa/<sa>}. */
public record ServiceAccount(String namespace, String name) {

    public ServiceAccount {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(name, "name");
    }

    /** {@code spiffe://<td>/ns/<namespace>/sa/<name>}; throws if a part is not a valid path segment. */
    public SpiffeId spiffeId(TrustDomain trustDomain) {
        return trustDomain.withPath("/ns/" + namespace + "/sa/" + name);
    }
}
