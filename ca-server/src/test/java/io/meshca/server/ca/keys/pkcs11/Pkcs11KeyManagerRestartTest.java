package io.meshca.server.ca.keys.pkcs11;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshca.common.plugin.PluginConfig;
import io.meshca.server.ca.keys.KeyType;
import io.meshca.server.ca.keys.SigningKey;
import io.meshca.server.ca.keys.pkcs11.SoftHsm.Token;
import java.nio.file.Path;
import java.security.Signature;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Keys outlive their manager: a new manager (a new SunPKCS11 provider instance, as after a restart)
 * finds them on the token by id, with the same public key, and signs with them.
 */
class Pkcs11KeyManagerRestartTest {

    @TempDir
    Path dir;

    private PluginConfig config;

    @BeforeEach
    void emptyToken() {
        SoftHsm hsm = SoftHsm.get();
        hsm.wipe(Token.RESTART);
        config = hsm.config(Token.RESTART, SoftHsm.pinFile(dir, SoftHsm.PIN));
    }

    @ParameterizedTest
    @EnumSource(KeyType.class)
    void aNewManager_findsTheKey_withTheSamePublicKey_andSignsWithIt(KeyType type) throws Exception {
        Pkcs11KeyManager before = Pkcs11KeyManager.open(config);
        before.generate("ca-old", type);
        SigningKey generated = before.generate("ca-old", type);
        before.generate("other", type);

        Pkcs11KeyManager after = Pkcs11KeyManager.open(config);

        SigningKey found = after.get("ca-old").orElseThrow();
        assertThat(found.publicKey()).isEqualTo(generated.publicKey());
        assertThat(found.signatureAlgorithm()).isEqualTo(generated.signatureAlgorithm());
        Signature verify = Signature.getInstance(found.signatureAlgorithm());
        verify.initVerify(generated.publicKey());
        verify.update(new byte[] {7, 7});
        assertThat(verify.verify(found.sign(new byte[] {7, 7}))).isTrue();
        assertThat(after.list()).extracting(SigningKey::id).containsExactly("ca-old", "other");
    }
}
