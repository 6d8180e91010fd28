/**
 * Istio's CA API (IstioCertificateService/CreateCertificate): its TLS listener, the authentication of
 * istio-agent by client certificate or Kubernetes service-account token, and the chain istio-agent
 * expects.
 */
package io.meshca.server.istio;
