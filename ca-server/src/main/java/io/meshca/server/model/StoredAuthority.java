package io.meshca.server.model;

import java.security.cert.X509Certificate;
import java.util.Objects;

/** An X.509 authority of the trust domain and the KeyManager id of its private key. */
public record StoredAuthority(String keyId, X509Certificate certificate) {
    public StoredAuthority {
        Objects.requireNonNull(keyId, "keyId");
        Objects.requireNonNull(certificate, "certificate");
    }
}
