/**
 * Envoy's Secret Discovery Service (SDS v3) on the agent's socket: the service, the xDS stream state
 * (versions, nonces, ACK and NACK) and the rendering of SVIDs and bundles as Envoy secrets.
 */
package io.meshca.agent.sds;
