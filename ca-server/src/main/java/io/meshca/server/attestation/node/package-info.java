/**
 * The server side of node attestation (the nodeAttestor plugin kind): an attestor proves what a node
 * is from its agent's evidence. Join tokens: single use, short-lived, stored only as a hash.
 */
package io.meshca.server.attestation.node;
