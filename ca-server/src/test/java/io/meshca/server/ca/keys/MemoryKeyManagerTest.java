package io.meshca.server.ca.keys;

class MemoryKeyManagerTest extends KeyManagerContractTest {

    private final MemoryKeyManager km = new MemoryKeyManager();

    @Override
    protected KeyManager keyManager() {
        return km;
    }
}
