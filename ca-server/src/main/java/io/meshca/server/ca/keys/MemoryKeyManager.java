package io.meshca.server.ca.keys;

import io.meshca.common.pki.Keys;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;

/** Keys in memory only: lost at exit. For tests and throwaway servers. */
public final class MemoryKeyManager implements KeyManager {

    private final ConcurrentSkipListMap<String, SigningKey> keys = new ConcurrentSkipListMap<>();

    @Override
    public SigningKey generate(String id) {
        SigningKey key = new JcaSigningKey(KeyIds.check(id), Keys.generateEcP256());
        keys.put(id, key);
        return key;
    }

    @Override
    public Optional<SigningKey> get(String id) {
        return Optional.ofNullable(keys.get(id));
    }

    @Override
    public List<SigningKey> list() {
        return List.copyOf(keys.values());
    }
}
