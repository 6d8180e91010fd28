/**
 * PKI helpers on Bouncy Castle: PEM reading and writing, key generation and encoding, CSR building
 * and certificate inspection. No policy: what a certificate may contain is decided by the CA.
 */
package io.meshca.common.pki;
