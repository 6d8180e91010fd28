package io.meshca.server.ca.keys;

import java.util.regex.Pattern;

/** Key ids become file names: only a safe alphabet, so no id can escape the key directory. */
final class KeyIds {

    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9._-]{1,128}");

    private KeyIds() {}

    static String check(String id) {
        if (id == null || !VALID.matcher(id).matches() || id.startsWith(".")) {
            throw new IllegalArgumentException(
                    "invalid key id \"" + id + "\": use 1-128 of [A-Za-z0-9._-], not starting with '.'");
        }
        return id;
    }
}
