/**
 * The server side of node attestation (the nodeAttestor plugin kind): an attestor proves what a node
 * is from its agent's evidence, asking the agent challenges if it needs to ({@link
 * io.meshca.server.attestation.node.AttestStep}). Join tokens: single use, short-lived, stored only as a
 * hash. k8s_psat: projected service-account tokens. x509pop: node certificates and proof of their key.
 */
package io.meshca.server.attestation.node;
