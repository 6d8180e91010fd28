package io.meshca.common.spiffe;

import io.meshca.common.error.InvalidArgumentException;
import java.util.Objects;

/**
 * A selector {@code type:value}, e.g. {@code unix:uid:1000} (type {@code unix}, value
 * {@code uid:1000}). The type names the attestor that produces it; the value is opaque to matching.
 */
public record Selector(String type, String value) implements Comparable<Selector> {

    public static final int MAX_LENGTH = 1024;
    public static final String MISSING_SEPARATOR = "a selector has the form type:value";
    public static final String EMPTY_TYPE = "selector type is empty";
    public static final String EMPTY_VALUE = "selector value is empty";
    public static final String BAD_TYPE_CHAR =
            "selector type characters are limited to lowercase letters, numbers, dashes and underscores";
    public static final String CONTROL_CHAR = "selector contains a control character";
    public static final String TOO_LONG = "selector is longer than 1024 characters";

    public Selector {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(value, "value");
        String problem = problem(type, value);
        if (problem != null) {
            throw new InvalidArgumentException("invalid selector \"" + type + ":" + value + "\": " + problem);
        }
    }

    /** Parses {@code type:value}; throws {@link InvalidArgumentException} naming the problem. */
    public static Selector parse(String text) {
        Objects.requireNonNull(text, "text");
        int colon = text.indexOf(':');
        if (colon < 0) {
            throw new InvalidArgumentException("invalid selector \"" + text + "\": " + MISSING_SEPARATOR);
        }
        return new Selector(text.substring(0, colon), text.substring(colon + 1));
    }

    private static String problem(String type, String value) {
        if (type.isEmpty()) {
            return EMPTY_TYPE;
        }
        if (value.isEmpty()) {
            return EMPTY_VALUE;
        }
        if (type.length() + value.length() + 1 > MAX_LENGTH) {
            return TOO_LONG;
        }
        for (int i = 0; i < type.length(); i++) {
            char c = type.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) {
                return BAD_TYPE_CHAR;
            }
        }
        for (int i = 0; i < value.length(); i++) {
            if (Character.isISOControl(value.charAt(i))) {
                return CONTROL_CHAR;
            }
        }
        return null;
    }

    @Override
    public int compareTo(Selector other) {
        int byType = type.compareTo(other.type);
        return byType != 0 ? byType : value.compareTo(other.value);
    }

    @Override
    public String toString() {
        return type + ":" + value;
    }
}
