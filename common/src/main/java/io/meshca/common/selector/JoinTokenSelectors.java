package io.meshca.common.selector;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The {@code join_token} node selector, {@code join_token:<token ID>}: the server gives it to the agent
 * that redeems the token, so that a node alias can select that agent. A token ID is 12 random bytes in
 * lowercase hex (the secret token itself never appears in a selector).
 */
public final class JoinTokenSelectors {

    public static final String TYPE = "join_token";
    public static final String BAD_TOKEN_ID = "a join token ID is 24 lowercase hex digits";

    private static final Pattern TOKEN_ID = Pattern.compile("[0-9a-f]{24}");

    public static final SelectorVocabulary VOCABULARY = new SelectorVocabulary() {
        @Override
        public String type() {
            return TYPE;
        }

        @Override
        public Optional<String> problem(String value) {
            return TOKEN_ID.matcher(value).matches() ? Optional.empty() : Optional.of(BAD_TOKEN_ID);
        }
    };

    private JoinTokenSelectors() {}
}
