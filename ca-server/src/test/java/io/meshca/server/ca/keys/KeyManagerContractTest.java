package io.meshca.server.ca.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.Signature;
import org.junit.jupiter.api.Test;

/** Every KeyManager passes this suite (one subclass per implementation, in any package). */
public abstract class KeyManagerContractTest {

    protected abstract KeyManager keyManager();

    @Test
    void generatedKey_signsVerifiablyWithItsPublicKey() throws Exception {
        SigningKey key = keyManager().generate("ca-1");
        byte[] data = "to be signed".getBytes();

        Signature verify = Signature.getInstance(key.signatureAlgorithm());
        verify.initVerify(key.publicKey());
        verify.update(data);
        assertThat(verify.verify(key.sign(data))).isTrue();
        assertThat(key.id()).isEqualTo("ca-1");
        assertThat(key.publicKey().getAlgorithm()).isEqualTo("EC");
    }

    @Test
    void get_returnsTheSameKey_andEmptyForUnknownIds() throws Exception {
        KeyManager km = keyManager();
        SigningKey key = km.generate("ca-2");

        SigningKey again = km.get("ca-2").orElseThrow();
        assertThat(again.publicKey()).isEqualTo(key.publicKey());
        Signature verify = Signature.getInstance(again.signatureAlgorithm());
        verify.initVerify(key.publicKey());
        verify.update(new byte[] {1, 2, 3});
        assertThat(verify.verify(again.sign(new byte[] {1, 2, 3}))).isTrue();
        assertThat(km.get("nope")).isEmpty();
    }

    @Test
    void rsaKey_isStoredAndReadBackAsRsa() throws Exception {
        KeyManager km = keyManager();
        SigningKey key = km.generate("jwt-rsa", KeyType.RSA_2048);

        SigningKey again = km.get("jwt-rsa").orElseThrow();
        assertThat(again.publicKey()).isEqualTo(key.publicKey());
        assertThat(again.signatureAlgorithm()).isEqualTo("SHA256withRSA");
        Signature verify = Signature.getInstance("SHA256withRSA");
        verify.initVerify(key.publicKey());
        verify.update(new byte[] {4, 5});
        assertThat(verify.verify(again.sign(new byte[] {4, 5}))).isTrue();
    }

    @Test
    void generate_replacesAKeyWithTheSameId() {
        KeyManager km = keyManager();
        SigningKey first = km.generate("ca-3");
        SigningKey second = km.generate("ca-3");

        assertThat(second.publicKey()).isNotEqualTo(first.publicKey());
        assertThat(km.get("ca-3").orElseThrow().publicKey()).isEqualTo(second.publicKey());
    }

    @Test
    void list_returnsEveryKeyById() {
        KeyManager km = keyManager();
        km.generate("b");
        km.generate("a");

        assertThat(km.list()).extracting(SigningKey::id).containsExactly("a", "b");
    }

    @Test
    void pathLikeIds_areRefused() {
        assertThatThrownBy(() -> keyManager().generate("../escape")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> keyManager().generate("")).isInstanceOf(IllegalArgumentException.class);
    }
}
