package io.meshca.server.k8s;

import com.nimbusds.jwt.JWTClaimsSet;
import java.util.Map;
import java.util.Optional;

/**
 * The service account a Kubernetes token was issued to. Projected (bound) tokens carry
 * {@code "kubernetes.io": {"namespace": ns, "serviceaccount": {"name": sa}}}; legacy secret-based ones
 * {@code kubernetes.io/serviceaccount/namespace} and {@code kubernetes.io/serviceaccount/service-account.name};
 * both carry {@code sub = system:serviceaccount:<ns>:<sa>}, used when neither form is there. Only
 * projected tokens say which pod and node they are bound to ({@link #boundPod}).
 */
public final class KubernetesClaims {

    static final String PROJECTED = "kubernetes.io";
    static final String LEGACY_NAMESPACE = "kubernetes.io/serviceaccount/namespace";
    static final String LEGACY_NAME = "kubernetes.io/serviceaccount/service-account.name";
    static final String SUBJECT_PREFIX = "system:serviceaccount:";

    private KubernetesClaims() {}

    static Optional<ServiceAccount> serviceAccount(JWTClaimsSet claims) {
        return projected(claims).or(() -> legacy(claims)).or(() -> subject(claims));
    }

    /**
     * The pod, service account and node a projected token is bound to; throws naming the first claim of
     * the {@code kubernetes.io} object that is missing (a legacy token has none of them, a token of
     * Kubernetes before 1.30 no node).
     */
    public static BoundPod boundPod(JWTClaimsSet claims) throws TokenRejectedException {
        if (!(claims.getClaim(PROJECTED) instanceof Map<?, ?> k8s)) {
            throw new TokenRejectedException("token has no kubernetes.io claims (not a projected token)");
        }
        return new BoundPod(
                text(k8s, "namespace"),
                text(k8s, "serviceaccount", "name"),
                text(k8s, "serviceaccount", "uid"),
                text(k8s, "pod", "name"),
                text(k8s, "pod", "uid"),
                text(k8s, "node", "name"),
                text(k8s, "node", "uid"));
    }

    private static String text(Map<?, ?> k8s, String key) throws TokenRejectedException {
        if (k8s.get(key) instanceof String value && !value.isEmpty()) {
            return value;
        }
        throw new TokenRejectedException("token has no " + PROJECTED + " claim " + key);
    }

    private static String text(Map<?, ?> k8s, String object, String key) throws TokenRejectedException {
        if (k8s.get(object) instanceof Map<?, ?> inner && inner.get(key) instanceof String value && !value.isEmpty()) {
            return value;
        }
        throw new TokenRejectedException("token has no " + PROJECTED + " claim " + object + "." + key
                + ("node".equals(object) ? " (Kubernetes 1.30 and later issue it)" : ""));
    }

    private static Optional<ServiceAccount> projected(JWTClaimsSet claims) {
        if (!(claims.getClaim(PROJECTED) instanceof Map<?, ?> k8s)) {
            return Optional.empty();
        }
        Object namespace = k8s.get("namespace");
        if (!(k8s.get("serviceaccount") instanceof Map<?, ?> sa)) {
            return Optional.empty();
        }
        return of(namespace, sa.get("name"));
    }

    private static Optional<ServiceAccount> legacy(JWTClaimsSet claims) {
        return of(claims.getClaim(LEGACY_NAMESPACE), claims.getClaim(LEGACY_NAME));
    }

    private static Optional<ServiceAccount> subject(JWTClaimsSet claims) {
        String sub = claims.getSubject();
        if (sub == null || !sub.startsWith(SUBJECT_PREFIX)) {
            return Optional.empty();
        }
        String[] parts = sub.substring(SUBJECT_PREFIX.length()).split(":", -1);
        return parts.length == 2 ? of(parts[0], parts[1]) : Optional.empty();
    }

    private static Optional<ServiceAccount> of(Object namespace, Object name) {
        if (namespace instanceof String ns && name instanceof String sa && !ns.isEmpty() && !sa.isEmpty()) {
            return Optional.of(new ServiceAccount(ns, sa));
        }
        return Optional.empty();
    }
}
