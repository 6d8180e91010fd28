/**
 * Kubernetes service-account tokens: verifying them against their issuer's keys (a JWKS file, URL or
 * OIDC discovery) and reading the claims that name the service account, pod and node. Shared by the
 * Istio CA API and the {@code k8s_psat} node attestor.
 */
package io.meshca.server.k8s;
