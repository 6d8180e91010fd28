package io.meshca.server.ca.keys;

import java.util.List;
import java.util.Optional;

/**
 * Where the CA's private keys live. Implementations: memory (tests), disk (PKCS#8 files, 0600), pkcs11 (a
 * PKCS#11 token, {@code ca.keys.pkcs11}).
 */
public interface KeyManager {

    /**
     * Generates a new EC P-256 key under {@code id}, replacing any key with that id.
     *
     * @throws IllegalArgumentException if the id is not a simple name ([A-Za-z0-9._-], 1..128 chars)
     * @throws java.io.UncheckedIOException if a persistent manager cannot store it
     */
    SigningKey generate(String id);

    /**
     * Generates a new key of {@code type} under {@code id}, replacing any key with that id.
     *
     * @throws IllegalArgumentException if the id is not a simple name
     * @throws java.io.UncheckedIOException if a persistent manager cannot store it
     */
    SigningKey generate(String id, KeyType type);

    /** The key stored under {@code id}, if any. */
    Optional<SigningKey> get(String id);

    /** Every stored key, ordered by id. */
    List<SigningKey> list();
}
