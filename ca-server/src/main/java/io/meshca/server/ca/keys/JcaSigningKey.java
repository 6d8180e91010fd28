package io.meshca.server.ca.keys;

import io.meshca.common.pki.Keys;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.Signature;

/** A signing key whose private key is a JCA object in this process (memory and disk managers). */
final class JcaSigningKey implements SigningKey {

    private final String id;
    private final KeyPair keyPair;
    private final String algorithm;

    JcaSigningKey(String id, KeyPair keyPair) {
        this.id = id;
        this.keyPair = keyPair;
        this.algorithm = Keys.signatureAlgorithm(keyPair.getPrivate());
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public PublicKey publicKey() {
        return keyPair.getPublic();
    }

    @Override
    public String signatureAlgorithm() {
        return algorithm;
    }

    @Override
    public byte[] sign(byte[] data) {
        try {
            // A Signature object is not thread-safe; creating one per call keeps signing lock-free.
            Signature signature = Signature.getInstance(algorithm);
            signature.initSign(keyPair.getPrivate());
            signature.update(data);
            return signature.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("signing with key " + id + " failed", e);
        }
    }

    @Override
    public String toString() {
        return "SigningKey[" + id + "]";
    }
}
