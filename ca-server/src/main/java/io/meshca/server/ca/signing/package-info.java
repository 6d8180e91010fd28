/**
 * X.509 signing to the SPIFFE profile: CSRs checked for proof of possession (CsrParser), leaf
 * certificates built and signed (X509SvidSigner) through keys that never leave their key manager, and
 * CA certificates: self-signed roots (RootCaFactory) and intermediates under an upstream CA
 * (IntermediateCaFactory).
 */
package io.meshca.server.ca.signing;
