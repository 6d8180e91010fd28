package io.meshca.server.ca.keys.pkcs11;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshca.common.error.InvalidArgumentException;
import io.meshca.common.plugin.PluginConfig;
import io.meshca.server.ca.keys.SigningKey;
import io.meshca.server.ca.keys.pkcs11.SoftHsm.Token;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What opening a token refuses, on SoftHSM2, with messages that name the problem and never the PIN. */
class Pkcs11KeyManagerConfigTest {

    private static final String PATH = "plugins.keyManager.pkcs11";
    private static final String WRONG_PIN = "wrong-pin-1234";

    @TempDir
    Path dir;

    private SoftHsm hsm;

    @BeforeEach
    void tokens() {
        hsm = SoftHsm.get();
    }

    private PluginConfig block(Map<String, Object> settings) {
        return new PluginConfig(PATH, settings);
    }

    @Test
    void aWrongPin_failsTheLogin_namingTheTokenAndThePinSource_notThePin() {
        Path pinFile = SoftHsm.pinFile(dir, WRONG_PIN);

        assertThatThrownBy(() -> Pkcs11KeyManager.open(hsm.config(Token.WRONG_PIN, pinFile)))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessage(
                        "PKCS#11 login to token \"meshca-wrong-pin\" failed: CKR_PIN_INCORRECT (the PIN from pinFile "
                                + pinFile + ")")
                .hasMessageNotContaining(WRONG_PIN)
                .hasMessageNotContaining(SoftHsm.PIN)
                .satisfies(e -> assertThat(e.getCause()).isNull());
    }

    @Test
    void anUnknownTokenLabel_isRefused_listingTheLabelsThereAre() {
        Map<String, Object> settings = Map.of(
                "library", hsm.library().toString(),
                "tokenLabel", "no-such-token",
                "pinFile", SoftHsm.pinFile(dir, SoftHsm.PIN).toString());

        assertThatThrownBy(() -> Pkcs11KeyManager.open(block(settings)))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageStartingWith(PATH + ".tokenLabel: no initialized token labelled \"no-such-token\" in "
                        + hsm.library() + " (tokens: ")
                .hasMessageContaining("\"meshca-config\"")
                .hasMessageContaining("\"meshca-contract\"");
    }

    @Test
    void slot_opensTheTokenInThatSlot_andThePinMayComeFromTheEnvironment() {
        hsm.wipe(Token.CONFIG);
        Map<String, Object> settings = Map.of(
                "library", hsm.library().toString(),
                "slot", hsm.slot(Token.CONFIG),
                "pinEnv", "MESHCA_TEST_HSM_PIN");

        Pkcs11KeyManager km = Pkcs11KeyManager.open(
                Pkcs11Settings.from(block(settings), Map.of("MESHCA_TEST_HSM_PIN", SoftHsm.PIN)::get));
        SigningKey key = km.generate("by-slot");

        Pkcs11KeyManager byLabel = Pkcs11KeyManager.open(hsm.config(Token.CONFIG, SoftHsm.pinFile(dir, SoftHsm.PIN)));
        assertThat(byLabel.get("by-slot").orElseThrow().publicKey()).isEqualTo(key.publicKey());
    }

    @Test
    void aSlotWithoutAToken_isRefusedNamingIt() {
        Map<String, Object> settings = Map.of(
                "library", hsm.library().toString(),
                "slot", 987654321L,
                "pinFile", SoftHsm.pinFile(dir, SoftHsm.PIN).toString());

        assertThatThrownBy(() -> Pkcs11KeyManager.open(block(settings)))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessage(PATH + ": cannot open the token in slot 987654321 with the PKCS#11 module " + hsm.library()
                        + ": CKR_SLOT_ID_INVALID");
    }

    @Test
    void aLibraryThatIsNotAPkcs11Module_isRefusedNamingIt() throws Exception {
        Path notAModule = Files.writeString(dir.resolve("libnothing.so"), "text, not ELF");
        Map<String, Object> settings = Map.of(
                "library", notAModule.toString(),
                "tokenLabel", "meshca-config",
                "pinFile", SoftHsm.pinFile(dir, SoftHsm.PIN).toString());

        assertThatThrownBy(() -> Pkcs11KeyManager.open(block(settings)))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageStartingWith(
                        PATH + ".tokenLabel: cannot list the tokens of the PKCS#11 module " + notAModule + ": ");
    }
}
