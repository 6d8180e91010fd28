package io.meshca.common.selector;

import java.util.Optional;

/**
 * The selectors of one type ({@code unix}, {@code join_token}, ...): the values its attestor can
 * produce. An attestor that brings a new selector type brings one implementation and registers it in
 * {@link SelectorVocabularies#BUILT_IN}.
 */
public interface SelectorVocabulary {

    /** The selector type, the part before the first colon, e.g. {@code unix}. */
    String type();

    /**
     * The rule {@code value} breaks, written for the operator who typed it, or empty if an attestor of
     * this type can produce it. A value it can never produce would make an entry that never matches.
     *
     * @param value the selector's value (after {@code type:}), non-empty and free of control characters
     */
    Optional<String> problem(String value);
}
