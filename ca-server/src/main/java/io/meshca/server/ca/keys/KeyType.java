package io.meshca.server.ca.keys;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;

/** The kinds of key a {@link KeyManager} generates. X.509 CAs use EC P-256; JWT keys may be RSA (RS256). */
public enum KeyType {
    EC_P256,
    RSA_2048;

    KeyPair generate() {
        try {
            if (this == EC_P256) {
                KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
                g.initialize(new ECGenParameterSpec("secp256r1"));
                return g.generateKeyPair();
            }
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(this + " keys are not available in this JVM", e);
        }
    }
}
