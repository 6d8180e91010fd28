package io.meshca.server.ca.keys;

import java.util.regex.Pattern;

/**
 * Key ids become file names and PKCS#11 labels: only a safe alphabet, so no id can escape the key directory
 * and every manager accepts the same ids.
 */
public final class KeyIds {

    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9._-]{1,128}");

    private KeyIds() {}

    /**
     * Returns {@code id} if it is 1-128 of [A-Za-z0-9._-], not starting with '.'.
     *
     * @throws IllegalArgumentException naming the id and the rule
     */
    public static String check(String id) {
        if (!isValid(id)) {
            throw new IllegalArgumentException(
                    "invalid key id \"" + id + "\": use 1-128 of [A-Za-z0-9._-], not starting with '.'");
        }
        return id;
    }

    /** True if {@link #check} accepts {@code id}. */
    public static boolean isValid(String id) {
        return id != null && VALID.matcher(id).matches() && !id.startsWith(".");
    }
}
