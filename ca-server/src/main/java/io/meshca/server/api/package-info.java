/**
 * The agent API served to node agents over TLS: node attestation, agent SVID renewal, the watch of
 * authorized entries, batch signing of CSRs and JWT-SVID minting. Services are thin: they validate,
 * call the domain and convert.
 */
package io.meshca.server.api;
