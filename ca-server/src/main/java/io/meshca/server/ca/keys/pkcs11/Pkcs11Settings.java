package io.meshca.server.ca.keys.pkcs11;

import io.meshca.common.error.InvalidArgumentException;
import io.meshca.common.plugin.PluginConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * The {@code plugins.keyManager.pkcs11} block, checked: which module, which token, and where the PIN
 * comes from. The PIN itself is not read here (see {@link PinSource#read}), so a settings object never
 * holds it.
 *
 * @param path where the block sits in the config, for messages
 * @param library the PKCS#11 module, an absolute path to an existing file
 * @param token how the token is chosen: by label or by slot ID
 * @param pin where the user PIN is read from at login
 */
record Pkcs11Settings(String path, Path library, TokenSelector token, PinSource pin) {

    static final String LIBRARY = "library";
    static final String TOKEN_LABEL = "tokenLabel";
    static final String SLOT = "slot";
    static final String PIN_FILE = "pinFile";
    static final String PIN_ENV = "pinEnv";

    Pkcs11Settings {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(library, "library");
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(pin, "pin");
    }

    /**
     * Reads and checks the block.
     *
     * @param environment looks up {@code pinEnv}'s variable ({@code System::getenv} in the server)
     * @throws InvalidArgumentException naming the key and the problem; never containing a PIN
     */
    static Pkcs11Settings from(PluginConfig config, Function<String, String> environment) {
        String path = config.path();
        if (config.string("pin").isPresent()) {
            // Named before allowOnly's generic message: the operator meant well and needs the alternative.
            throw new InvalidArgumentException(path + ".pin: a PIN is never written in the config;"
                    + " put it in a file (" + PIN_FILE + ") or an environment variable (" + PIN_ENV + ")");
        }
        config.allowOnly(LIBRARY, TOKEN_LABEL, SLOT, PIN_FILE, PIN_ENV);
        return new Pkcs11Settings(path, library(config), token(config), pin(config, environment));
    }

    private static Path library(PluginConfig config) {
        String key = config.path() + "." + LIBRARY;
        Path library = config.path(LIBRARY)
                .orElseThrow(() -> new InvalidArgumentException(
                        key + " is required: the path of the PKCS#11 module, e.g. /usr/lib/softhsm/libsofthsm2.so"))
                .toAbsolutePath()
                .normalize();
        String text = library.toString();
        // SunPKCS11 reads its configuration as text: a line break would end the value early, and
        // ${...} would be expanded as a system property.
        if (text.contains("\n") || text.contains("\r") || text.contains("${") || text.contains("\\")) {
            throw new InvalidArgumentException(key + " must not contain line breaks, '\\' or '${': " + text);
        }
        if (!Files.isRegularFile(library)) {
            throw new InvalidArgumentException(key + ": no such file " + text + " (is the PKCS#11 module installed?)");
        }
        if (!Files.isReadable(library)) {
            throw new InvalidArgumentException(key + ": cannot read " + text);
        }
        return library;
    }

    private static TokenSelector token(PluginConfig config) {
        Optional<String> label = config.string(TOKEN_LABEL);
        Optional<String> slot = config.string(SLOT);
        String path = config.path();
        if (label.isPresent() == slot.isPresent()) {
            throw new InvalidArgumentException(path + ": set exactly one of " + TOKEN_LABEL + " and " + SLOT
                    + " to choose the token (" + (label.isPresent() ? "both are set" : "neither is set") + ")");
        }
        if (label.isPresent()) {
            if (label.get().isBlank()) {
                throw new InvalidArgumentException(path + "." + TOKEN_LABEL + " must not be empty");
            }
            return new TokenSelector.ByLabel(path + "." + TOKEN_LABEL, label.get());
        }
        try {
            long id = Long.parseLong(slot.get().trim());
            if (id < 0) {
                throw new NumberFormatException();
            }
            return new TokenSelector.BySlot(path + "." + SLOT, id);
        } catch (NumberFormatException e) {
            throw new InvalidArgumentException(
                    path + "." + SLOT + " must be a slot ID (a whole number >= 0), got \"" + slot.get() + "\"");
        }
    }

    private static PinSource pin(PluginConfig config, Function<String, String> environment) {
        Optional<Path> file = config.path(PIN_FILE);
        Optional<String> variable = config.string(PIN_ENV);
        String path = config.path();
        if (file.isPresent() == variable.isPresent()) {
            throw new InvalidArgumentException(path + ": set exactly one of " + PIN_FILE + " (a file holding the PIN)"
                    + " and " + PIN_ENV + " (the name of an environment variable holding it) ("
                    + (file.isPresent() ? "both are set" : "neither is set") + ")");
        }
        PinSource source = file.isPresent()
                ? new PinSource.FromFile(path + "." + PIN_FILE, file.get())
                : new PinSource.FromEnvironment(path + "." + PIN_ENV, variable.get(), environment);
        // Fail at start on a missing file or variable, not at first login; the PIN read is discarded.
        source.check();
        return source;
    }
}
