/**
 * Who certifies the trust domain's X.509 CA: the {@code upstreamAuthority} plugin kind. {@code none}
 * (the only one so far) makes the CA a self-signed root; an upstream authority would sign it as an
 * intermediate of another PKI.
 */
package io.meshca.server.ca.upstream;
