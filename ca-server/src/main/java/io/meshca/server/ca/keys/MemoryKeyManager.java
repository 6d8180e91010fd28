package io.meshca.server.ca.keys;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;

/** Keys in memory only: lost at exit. For tests and throwaway servers. */
public final class MemoryKeyManager implements KeyManager {

    private final ConcurrentSkipListMap<String, SigningKey> keys = new ConcurrentSkipListMap<>();

    @Override
    public SigningKey generate(String id) {
        return generate(id, KeyType.EC_P256);
    }

    @Override
    public SigningKey generate(String id, KeyType type) {
        SigningKey key = new JcaSigningKey(KeyIds.check(id), type.generate());
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
