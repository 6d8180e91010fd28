/**
 * The agent's side of the wire to ca-server: the TLS channels, the calls (attest, renew, sign, fetch
 * JWT-SVIDs) and the long-lived watch of authorized entries.
 */
package io.meshca.agent.client;
