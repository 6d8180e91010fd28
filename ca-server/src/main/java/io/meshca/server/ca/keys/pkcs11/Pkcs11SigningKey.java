package io.meshca.server.ca.keys.pkcs11;

import io.meshca.server.ca.keys.SigningKey;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.ProviderException;
import java.security.PublicKey;
import java.security.Signature;

/**
 * A key on the token: {@link #sign} asks the token to sign through the manager's SunPKCS11 provider.
 * The private key object is only a handle (the token refuses to reveal the key itself).
 *
 * <p>Thread-safe: each signature gets its own {@link Signature}, which borrows a session from the
 * provider's pool for the one operation (C_SignInit, C_Sign) and gives it back, so threads sign in
 * parallel on separate sessions. A {@code Signature} per call costs a provider lookup, which measured
 * in the same range as reusing one next to the token's own work, and needs neither a lock nor
 * per-thread state.
 */
final class Pkcs11SigningKey implements SigningKey {

    private final String id;
    private final PublicKey publicKey;
    private final String algorithm;
    private final PrivateKey handle;
    private final Provider provider;

    Pkcs11SigningKey(String id, PublicKey publicKey, String algorithm, PrivateKey handle, Provider provider) {
        this.id = id;
        this.publicKey = publicKey;
        this.algorithm = algorithm;
        this.handle = handle;
        this.provider = provider;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public PublicKey publicKey() {
        return publicKey;
    }

    @Override
    public String signatureAlgorithm() {
        return algorithm;
    }

    /**
     * @throws IllegalStateException if the token fails to sign, e.g. because the key was replaced (its
     *     object destroyed) or the token is gone; the cause is the provider's error (a CKR_ code)
     */
    @Override
    public byte[] sign(byte[] data) {
        try {
            Signature signature = Signature.getInstance(algorithm, provider);
            signature.initSign(handle);
            signature.update(data);
            return signature.sign();
        } catch (GeneralSecurityException | ProviderException e) {
            throw new IllegalStateException("signing with key " + id + " on the PKCS#11 token failed", e);
        }
    }

    @Override
    public String toString() {
        return "SigningKey[" + id + ", pkcs11]";
    }
}
