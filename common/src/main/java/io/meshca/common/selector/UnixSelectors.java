package io.meshca.common.selector;

import io.meshca.common.selector.KeyedSelectorVocabulary.Rule;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The {@code unix} selectors of the agent's workload attestor, {@code unix:<key>:<value>}: the keys it
 * emits and what each value can be. The attestor builds its selectors with these keys and the server
 * checks entries with {@link #VOCABULARY}, so the two cannot drift apart.
 */
public final class UnixSelectors {

    public static final String TYPE = "unix";
    /** The effective user ID. */
    public static final String UID = "uid";
    /** The name of the effective user, when {@code /etc/passwd} has one. */
    public static final String USER = "user";
    /** The effective group ID. */
    public static final String GID = "gid";
    /** The name of the effective group, when {@code /etc/group} has one. */
    public static final String GROUP = "group";
    /** Each supplementary group ID. */
    public static final String SUPPLEMENTARY_GID = "supplementary_gid";
    /** Each supplementary group's name. */
    public static final String SUPPLEMENTARY_GROUP = "supplementary_group";
    /** The executable's absolute path. */
    public static final String PATH = "path";
    /** The SHA-256 of the executable, lowercase hex. */
    public static final String SHA256 = "sha256";
    /** The main class (or source file) of a {@code java} launcher. */
    public static final String JAVA_MAIN = "java-main";
    /** The file name of a {@code java -jar} launcher's jar. */
    public static final String JAVA_JAR = "java-jar";

    /**
     * The largest uid or gid the attestor reads from {@code /proc}; larger ones (Linux allows up to
     * 2^32 - 2) are refused as unattestable, so no entry may name them either.
     */
    public static final long MAX_ID = Integer.MAX_VALUE;

    public static final String BAD_ID = "must be a non-negative decimal integer, at most " + MAX_ID;
    public static final String BAD_PATH = "must be an absolute path (start with /)";
    public static final String BAD_SHA256 = "must be 64 lowercase hex digits";
    public static final String BAD_JAR = "must be a file name without a directory";
    public static final String EMPTY = "must not be empty";

    private static final Pattern DECIMAL = Pattern.compile("0|[1-9][0-9]{0,9}");
    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");

    private static final Map<String, Rule> RULES = Map.of(
            UID, new Rule(UnixSelectors::isId, BAD_ID),
            GID, new Rule(UnixSelectors::isId, BAD_ID),
            SUPPLEMENTARY_GID, new Rule(UnixSelectors::isId, BAD_ID),
            USER, new Rule(v -> !v.isEmpty(), EMPTY),
            GROUP, new Rule(v -> !v.isEmpty(), EMPTY),
            SUPPLEMENTARY_GROUP, new Rule(v -> !v.isEmpty(), EMPTY),
            PATH, new Rule(v -> v.startsWith("/"), BAD_PATH),
            SHA256, new Rule(v -> SHA256_HEX.matcher(v).matches(), BAD_SHA256),
            JAVA_MAIN, new Rule(v -> !v.isEmpty(), EMPTY),
            JAVA_JAR, new Rule(v -> !v.isEmpty() && v.indexOf('/') < 0, BAD_JAR));

    public static final SelectorVocabulary VOCABULARY = new KeyedSelectorVocabulary(TYPE, RULES);

    private UnixSelectors() {}

    /** {@code key:value}, the value of a {@code unix} selector. */
    public static String value(String key, String value) {
        return key + ":" + value;
    }

    private static boolean isId(String value) {
        return DECIMAL.matcher(value).matches() && Long.parseLong(value) <= MAX_ID;
    }
}
