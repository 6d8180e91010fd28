/**
 * SPIFFE mutual TLS: key and trust managers over rotating SVIDs and bundles, the authorizers that
 * check a peer's SPIFFE ID, and the SSL contexts (TLS 1.3) built from them.
 */
package io.meshca.common.tls;
