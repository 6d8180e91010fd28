/**
 * Attested agents: node attestation through the configured node attestors, agent SVID issuance and
 * renewal, and the operator's evict and ban.
 */
package io.meshca.server.agents;
