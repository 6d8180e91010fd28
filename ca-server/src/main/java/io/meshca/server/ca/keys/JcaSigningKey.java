package io.meshca.server.ca.keys;

import io.meshca.common.crypto.CryptoProvider;
import io.meshca.common.pki.Keys;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.SignatureException;

/** A signing key whose private key is a JCA object in this process (memory and disk managers). */
final class JcaSigningKey implements SigningKey {

    private final String id;
    private final KeyPair keyPair;
    private final String algorithm;
    /** The private key as the process's crypto provider's own object, converted once rather than per signature. */
    private final PrivateKey signingKey;
    /** A Signature object is not thread-safe; one per thread, initialized once, keeps signing lock-free and cheap. */
    private final ThreadLocal<Signature> signatures;

    JcaSigningKey(String id, KeyPair keyPair) {
        this.id = id;
        this.keyPair = keyPair;
        this.algorithm = Keys.signatureAlgorithm(keyPair.getPrivate());
        this.signingKey = CryptoProvider.get().importPrivateKey(keyPair.getPrivate());
        this.signatures = new ThreadLocal<>();
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
            Signature signature = signatures.get();
            if (signature == null) {
                signature = CryptoProvider.get().signature(algorithm);
                signature.initSign(signingKey);
                signatures.set(signature);
            }
            // sign() leaves the object initialized for the next signature with the same key
            signature.update(data);
            try {
                return signature.sign();
            } catch (SignatureException | RuntimeException e) {
                signatures.remove();
                throw e;
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("signing with key " + id + " failed", e);
        }
    }

    @Override
    public String toString() {
        return "SigningKey[" + id + "]";
    }
}
