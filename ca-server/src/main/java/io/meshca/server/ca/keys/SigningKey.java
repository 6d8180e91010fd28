package io.meshca.server.ca.keys;

import java.security.PublicKey;

/**
 * A private key held by a {@link KeyManager}: callers can sign with it and read its public key, never
 * read the private key itself (so an HSM-backed manager fits the same interface).
 */
public interface SigningKey {

    /** The id the key is stored under. */
    String id();

    PublicKey publicKey();

    /** The JCA signature algorithm this key signs with, e.g. SHA256withECDSA. */
    String signatureAlgorithm();

    /** Signs {@code data} with {@link #signatureAlgorithm()}; thread-safe. */
    byte[] sign(byte[] data);
}
