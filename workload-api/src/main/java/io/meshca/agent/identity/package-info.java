/**
 * The agent's own identity: its X509-SVID with the key it persists, and the credentials holder that
 * the mutual-TLS channel to ca-server reads at every handshake. Below the client, the rotator and the
 * store, which all share it.
 */
package io.meshca.agent.identity;
