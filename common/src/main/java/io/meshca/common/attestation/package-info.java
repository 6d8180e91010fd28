/**
 * What a node attestor of the agent and the server's attestor of the same name must agree on byte for
 * byte: the challenges the server asks and how the agent answers them.
 */
package io.meshca.common.attestation;
