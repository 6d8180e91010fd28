/**
 * The SPIFFE Workload API on the agent's socket: the service, its interceptors (security header,
 * workload attestation) and the conversion of snapshots to responses.
 */
package io.meshca.agent.api;
