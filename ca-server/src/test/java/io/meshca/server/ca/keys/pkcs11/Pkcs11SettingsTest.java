package io.meshca.server.ca.keys.pkcs11;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshca.common.error.InvalidArgumentException;
import io.meshca.common.plugin.PluginConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pkcs11 block, checked key by key; needs no PKCS#11 module (the library only has to exist). */
class Pkcs11SettingsTest {

    private static final String PATH = "plugins.keyManager.pkcs11";
    private static final String PIN = "s3cret-PIN-9";
    private static final Function<String, String> NO_ENVIRONMENT = name -> null;

    @TempDir
    Path dir;

    private Path library;
    private Path pinFile;

    @BeforeEach
    void files() throws Exception {
        library = Files.writeString(dir.resolve("libmodule.so"), "not really a module");
        pinFile = Files.writeString(dir.resolve("pin"), PIN + "\n");
    }

    private Map<String, Object> block() {
        Map<String, Object> block = new HashMap<>();
        block.put("library", library.toString());
        block.put("tokenLabel", "meshca-ca");
        block.put("pinFile", pinFile.toString());
        return block;
    }

    private static Pkcs11Settings settings(Map<String, Object> block, Function<String, String> environment) {
        return Pkcs11Settings.from(new PluginConfig(PATH, block), environment);
    }

    private static Pkcs11Settings settings(Map<String, Object> block) {
        return settings(block, NO_ENVIRONMENT);
    }

    @Test
    void aCompleteBlock_namesTheModuleTheTokenAndThePinSource() {
        Pkcs11Settings settings = settings(block());

        assertThat(settings.library()).isEqualTo(library);
        assertThat(settings.token()).isEqualTo(new TokenSelector.ByLabel(PATH + ".tokenLabel", "meshca-ca"));
        assertThat(settings.token().describe()).isEqualTo("token \"meshca-ca\"");
        assertThat(settings.pin().describe()).isEqualTo("pinFile " + pinFile);
    }

    @Test
    void thePinFile_losesOneTrailingLineBreak_only() throws Exception {
        assertThat(settings(block()).pin().read()).isEqualTo(PIN.toCharArray());

        Files.writeString(pinFile, PIN + "\r\n");
        assertThat(settings(block()).pin().read()).isEqualTo(PIN.toCharArray());

        Files.writeString(pinFile, " " + PIN + " \n\n");
        assertThat(settings(block()).pin().read()).isEqualTo((" " + PIN + " \n").toCharArray());
    }

    @Test
    void pinEnv_readsTheVariable() {
        Map<String, Object> block = block();
        block.remove("pinFile");
        block.put("pinEnv", "MESHCA_HSM_PIN");

        Pkcs11Settings settings = settings(block, Map.of("MESHCA_HSM_PIN", PIN)::get);

        assertThat(settings.pin().read()).isEqualTo(PIN.toCharArray());
        assertThat(settings.pin().describe()).isEqualTo("pinEnv MESHCA_HSM_PIN");
    }

    @Test
    void slot_choosesTheTokenByItsSlotId() {
        Map<String, Object> block = block();
        block.remove("tokenLabel");
        block.put("slot", 1170379163L);

        TokenSelector token = settings(block).token();

        assertThat(token.slotId(library)).isEqualTo(1170379163L);
        assertThat(token.describe()).isEqualTo("the token in slot 1170379163");
    }

    @Test
    void aMissingLibraryKey_orFile_isNamed() {
        Map<String, Object> noKey = block();
        noKey.remove("library");
        assertThatThrownBy(() -> settings(noKey))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessage(PATH + ".library is required: the path of the PKCS#11 module,"
                        + " e.g. /usr/lib/softhsm/libsofthsm2.so");

        Map<String, Object> noFile = block();
        noFile.put("library", dir.resolve("absent.so").toString());
        assertThatThrownBy(() -> settings(noFile))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessage(PATH + ".library: no such file " + dir.resolve("absent.so")
                        + " (is the PKCS#11 module installed?)");
    }

    @Test
    void bothOrNeitherOfTokenLabelAndSlot_isRefused() {
        Map<String, Object> both = block();
        both.put("slot", "3");
        assertThatThrownBy(() -> settings(both))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessage(PATH + ": set exactly one of tokenLabel and slot to choose the token (both are set)");

        Map<String, Object> neither = block();
        neither.remove("tokenLabel");
        assertThatThrownBy(() -> settings(neither))
                .hasMessage(PATH + ": set exactly one of tokenLabel and slot to choose the token (neither is set)");
    }

    @Test
    void aSlotThatIsNotASlotId_isRefused() {
        Map<String, Object> block = block();
        block.remove("tokenLabel");
        block.put("slot", "first");

        assertThatThrownBy(() -> settings(block))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessage(PATH + ".slot must be a slot ID (a whole number >= 0), got \"first\"");
    }

    @Test
    void bothOrNeitherOfPinFileAndPinEnv_isRefused() {
        Map<String, Object> both = block();
        both.put("pinEnv", "MESHCA_HSM_PIN");
        assertThatThrownBy(() -> settings(both, Map.of("MESHCA_HSM_PIN", PIN)::get))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessage(PATH + ": set exactly one of pinFile (a file holding the PIN) and pinEnv (the name of an"
                        + " environment variable holding it) (both are set)");

        Map<String, Object> neither = block();
        neither.remove("pinFile");
        assertThatThrownBy(() -> settings(neither)).hasMessageEndingWith("(neither is set)");
    }

    @Test
    void anUnreadableOrEmptyPinFile_isRefusedAtStart() throws Exception {
        Map<String, Object> absent = block();
        absent.put("pinFile", dir.resolve("nope").toString());
        assertThatThrownBy(() -> settings(absent))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessage(
                        PATH + ".pinFile: cannot read the PIN file " + dir.resolve("nope") + " (NoSuchFileException)");

        Map<String, Object> directory = block();
        directory.put("pinFile", dir.toString());
        assertThatThrownBy(() -> settings(directory))
                .hasMessageStartingWith(PATH + ".pinFile: cannot read the PIN file " + dir + " (");

        Files.writeString(pinFile, "\n");
        assertThatThrownBy(() -> settings(block()))
                .hasMessage(PATH + ".pinFile: the PIN file " + pinFile + " is empty");
    }

    @Test
    void anUnsetOrEmptyPinVariable_isRefusedAtStart() {
        Map<String, Object> block = block();
        block.remove("pinFile");
        block.put("pinEnv", "MESHCA_HSM_PIN");

        assertThatThrownBy(() -> settings(block))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessage(PATH + ".pinEnv: the environment variable MESHCA_HSM_PIN is not set");
        assertThatThrownBy(() -> settings(block, Map.of("MESHCA_HSM_PIN", "")::get))
                .hasMessage(PATH + ".pinEnv: the environment variable MESHCA_HSM_PIN is empty");
    }

    @Test
    void aLiteralPin_isRefused_withoutRepeatingIt() {
        Map<String, Object> block = block();
        block.put("pin", PIN);

        assertThatThrownBy(() -> settings(block))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessage(PATH + ".pin: a PIN is never written in the config; put it in a file (pinFile)"
                        + " or an environment variable (pinEnv)")
                .hasMessageNotContaining(PIN);
    }

    @Test
    void anUnknownKey_isRefusedNamingTheKnownOnes() {
        Map<String, Object> block = block();
        block.put("label", "meshca-ca");

        assertThatThrownBy(() -> settings(block))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessage("unknown config key \"" + PATH + ".label\""
                        + " (known keys here: library, pinEnv, pinFile, slot, tokenLabel)");
    }
}
