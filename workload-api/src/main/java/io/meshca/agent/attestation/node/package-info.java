/**
 * Node attestation, the agent's side: how the agent obtains its own identity at start, from a stored
 * SVID that is still valid or by attesting to ca-server with the evidence of its node attestor and its
 * answers to the server's challenges.
 */
package io.meshca.agent.attestation.node;
