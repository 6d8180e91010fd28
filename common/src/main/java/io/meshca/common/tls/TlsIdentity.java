package io.meshca.common.tls;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;

/**
 * A private key and its certificate chain (leaf first, without the root) that a TLS endpoint presents.
 * An X509-SVID with its key is the usual case.
 */
public record TlsIdentity(PrivateKey privateKey, List<X509Certificate> chain) {

    public TlsIdentity {
        Objects.requireNonNull(privateKey, "privateKey");
        chain = List.copyOf(Objects.requireNonNull(chain, "chain"));
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("a TLS identity needs at least the leaf certificate");
        }
    }

    public X509Certificate leaf() {
        return chain.get(0);
    }
}
