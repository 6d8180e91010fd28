package io.meshca.common.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.Signature;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CryptoProviderTest {

    private static final byte[] DATA = "to be signed".getBytes(StandardCharsets.UTF_8);

    @Test
    void conscryptIsChosen_whereItLoads() {
        // Linux x86_64 / aarch64 with JDK 17: the platforms meshca ships for, and Conscrypt's uber jar covers
        assertThat(CryptoProvider.loadConscrypt()).isPresent();
        CryptoProvider chosen = CryptoProvider.choose(true, CryptoProvider::loadConscrypt);
        assertThat(chosen.name()).isEqualTo("Conscrypt");
        assertThat(chosen.isJdk()).isFalse();
        assertThat(CryptoProvider.get().name()).isEqualTo("Conscrypt");
    }

    @Test
    void theJdkIsTheFallback_whenConscryptDoesNotLoad() {
        CryptoProvider chosen = CryptoProvider.choose(true, Optional::empty);
        assertThat(chosen.name()).isEqualTo(CryptoProvider.JDK);
        assertThat(chosen.provider()).isEmpty();
        signAndVerify(chosen, chosen);
    }

    @Test
    void theJdkIsUsed_whenForced() {
        CryptoProvider chosen = CryptoProvider.choose(false, () -> {
            throw new AssertionError("must not even try Conscrypt");
        });
        assertThat(chosen.isJdk()).isTrue();
    }

    @Test
    void signaturesInteroperate_betweenConscryptAndTheJdk() throws Exception {
        CryptoProvider conscrypt = CryptoProvider.choose(true, CryptoProvider::loadConscrypt);
        signAndVerify(conscrypt, CryptoProvider.jdk());
        signAndVerify(CryptoProvider.jdk(), conscrypt);
    }

    @Test
    void importedJdkKeys_signWithConscrypt_andVerifyWithTheJdk() throws Exception {
        CryptoProvider conscrypt = CryptoProvider.choose(true, CryptoProvider::loadConscrypt);
        KeyPair jdkPair = CryptoProvider.jdk().generateEcP256();
        var imported = conscrypt.importPrivateKey(jdkPair.getPrivate());
        assertThat(imported.getClass().getName()).contains("conscrypt");
        Signature s = conscrypt.signature("SHA256withECDSA");
        s.initSign(imported);
        s.update(DATA);
        Signature v = Signature.getInstance("SHA256withECDSA");
        v.initVerify(jdkPair.getPublic());
        v.update(DATA);
        assertThat(v.verify(s.sign())).isTrue();
    }

    private static void signAndVerify(CryptoProvider signer, CryptoProvider verifier) {
        try {
            KeyPair pair = signer.generateEcP256();
            Signature s = signer.signature("SHA256withECDSA");
            s.initSign(pair.getPrivate());
            s.update(DATA);
            byte[] sig = s.sign();
            Signature v = verifier.signature("SHA256withECDSA");
            v.initVerify(verifier.importPublicKey(pair.getPublic()));
            v.update(DATA);
            assertThat(v.verify(sig)).isTrue();
        } catch (GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }
}
