/**
 * The certificate authority: CaManager holds the active X.509 authority and the bundle, SvidIssuer
 * issues X509-SVIDs from verified requests (auditing each), and RenewingTlsIdentity keeps the
 * server's own TLS certificates renewed by the one renewal rule.
 */
package io.meshca.server.ca;
