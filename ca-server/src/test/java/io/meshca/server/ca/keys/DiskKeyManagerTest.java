package io.meshca.server.ca.keys;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiskKeyManagerTest extends KeyManagerContractTest {

    @TempDir
    Path dir;

    private DiskKeyManager km;

    @Override
    protected KeyManager keyManager() {
        if (km == null) {
            km = new DiskKeyManager(dir.resolve("keys"));
        }
        return km;
    }

    @Test
    void keyFiles_are0600_inA0700Directory() throws Exception {
        keyManager().generate("ca-x");

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("keys"))))
                .isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("keys/ca-x.pk8"))))
                .isEqualTo("rw-------");
    }

    @Test
    void keys_surviveANewManagerOnTheSameDirectory() {
        SigningKey key = keyManager().generate("ca-y");

        assertThat(new DiskKeyManager(dir.resolve("keys"))
                        .get("ca-y")
                        .orElseThrow()
                        .publicKey())
                .isEqualTo(key.publicKey());
    }
}
