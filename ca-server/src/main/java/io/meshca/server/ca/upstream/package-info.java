/**
 * Who certifies the trust domain's X.509 CA: the {@code upstreamAuthority} plugin kind. {@code none}
 * makes the CA a self-signed root; {@code disk} signs it as an intermediate under an existing CA whose
 * certificate and key are files (a corporate PKI), and names that PKI's roots for the bundle.
 */
package io.meshca.server.ca.upstream;
