package io.meshca.server.ca.keys.pkcs11;

import java.nio.file.Path;
import java.util.Objects;

/** How the operator chose the token: by its label (what people name tokens by) or by its slot ID. */
sealed interface TokenSelector {

    /**
     * The slot ID of the chosen token on the module at {@code library}.
     *
     * @throws io.meshca.common.error.InvalidArgumentException if no token, or more than one, matches
     */
    long slotId(Path library);

    /** For messages: {@code token "meshca-ca"} or {@code the token in slot 3}. */
    String describe();

    /** The initialized token whose label is {@code label}. */
    record ByLabel(String key, String label) implements TokenSelector {
        public ByLabel {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(label, "label");
        }

        @Override
        public long slotId(Path library) {
            return TokenLabels.slotOf(key, library, label);
        }

        @Override
        public String describe() {
            return "token \"" + label + "\"";
        }
    }

    /** The token in slot {@code id}, as the module numbers its slots. */
    record BySlot(String key, long id) implements TokenSelector {
        public BySlot {
            Objects.requireNonNull(key, "key");
        }

        @Override
        public long slotId(Path library) {
            return id;
        }

        @Override
        public String describe() {
            return "the token in slot " + id;
        }
    }
}
