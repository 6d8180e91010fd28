package io.meshca.server.ca.keys.pkcs11;

import io.meshca.common.error.InvalidArgumentException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.Function;

/**
 * Where the token's user PIN comes from: a file or an environment variable, never the config or the
 * command line (both end up in shell histories, process lists and support tickets). Messages name the
 * source, never the PIN.
 */
sealed interface PinSource {

    /**
     * The PIN, freshly read; the caller clears the array when done.
     *
     * @throws InvalidArgumentException naming the config key and the source if it cannot be read or is
     *     empty
     */
    char[] read();

    /** For messages: {@code pinFile /etc/meshca/hsm.pin} or {@code pinEnv MESHCA_HSM_PIN}. */
    String describe();

    /** Reads the PIN once and forgets it: the source's problems show at start, not at first login. */
    default void check() {
        Arrays.fill(read(), '\0');
    }

    /** A file holding the PIN; one trailing line break (as editors and {@code echo} leave it) is dropped. */
    record FromFile(String key, Path file) implements PinSource {
        public FromFile {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(file, "file");
        }

        @Override
        public char[] read() {
            byte[] bytes;
            try {
                bytes = Files.readAllBytes(file);
            } catch (IOException e) {
                // The exception's message is the path and the reason (no such file, access denied).
                throw new InvalidArgumentException(key + ": cannot read the PIN file " + file + " ("
                        + e.getClass().getSimpleName() + ")");
            }
            try {
                int length = bytes.length;
                if (length > 0 && bytes[length - 1] == '\n') {
                    length--;
                    if (length > 0 && bytes[length - 1] == '\r') {
                        length--;
                    }
                }
                if (length == 0) {
                    throw new InvalidArgumentException(key + ": the PIN file " + file + " is empty");
                }
                return decode(ByteBuffer.wrap(bytes, 0, length));
            } finally {
                Arrays.fill(bytes, (byte) 0);
            }
        }

        private char[] decode(ByteBuffer bytes) {
            CharBuffer chars = null;
            try {
                chars = StandardCharsets.UTF_8
                        .newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(bytes);
                return Arrays.copyOf(chars.array(), chars.limit());
            } catch (CharacterCodingException e) {
                throw new InvalidArgumentException(key + ": the PIN file " + file + " is not UTF-8 text");
            } finally {
                if (chars != null) {
                    Arrays.fill(chars.array(), '\0');
                }
            }
        }

        @Override
        public String describe() {
            return Pkcs11Settings.PIN_FILE + " " + file;
        }
    }

    /** An environment variable holding the PIN, looked up through {@code environment}. */
    record FromEnvironment(String key, String variable, Function<String, String> environment) implements PinSource {
        public FromEnvironment {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(variable, "variable");
            Objects.requireNonNull(environment, "environment");
            if (variable.isBlank()) {
                throw new InvalidArgumentException(key + " must name an environment variable");
            }
        }

        @Override
        public char[] read() {
            String value = environment.apply(variable);
            if (value == null) {
                throw new InvalidArgumentException(key + ": the environment variable " + variable + " is not set");
            }
            if (value.isEmpty()) {
                throw new InvalidArgumentException(key + ": the environment variable " + variable + " is empty");
            }
            return value.toCharArray();
        }

        @Override
        public String describe() {
            return Pkcs11Settings.PIN_ENV + " " + variable;
        }

        @Override
        public String toString() {
            return "FromEnvironment[" + key + ", " + variable + "]";
        }
    }
}
