package io.meshca.common.spiffe;

/**
 * The rules of the SPIFFE-ID standard and the message for each broken rule. The messages are
 * constants so that tests (and users' scripts) can rely on them.
 */
public final class SpiffeIdRules {

    public static final String EMPTY = "SPIFFE ID cannot be empty";
    public static final String WRONG_SCHEME = "scheme is missing or invalid: a SPIFFE ID starts with spiffe://";
    public static final String MISSING_TRUST_DOMAIN = "trust domain is missing";
    public static final String BAD_TRUST_DOMAIN_CHAR =
            "trust domain characters are limited to lowercase letters, numbers, dots, dashes, and underscores"
                    + " (no port, user info or upper case)";
    public static final String TRUST_DOMAIN_TOO_LONG = "trust domain is longer than 255 bytes";
    public static final String TRUST_DOMAIN_HAS_PATH = "a trust domain has no path";
    public static final String BAD_PATH_CHAR =
            "path segment characters are limited to letters, numbers, dots, dashes, and underscores"
                    + " (no query, fragment or percent-encoding)";
    public static final String DOT_SEGMENT = "path cannot contain dot segments (. or ..)";
    public static final String NO_LEADING_SLASH = "path must have a leading slash";
    public static final String EMPTY_SEGMENT = "path cannot contain empty segments";
    public static final String TRAILING_SLASH = "path cannot have a trailing slash";
    public static final String TOO_LONG = "SPIFFE ID is longer than 2048 bytes";

    private SpiffeIdRules() {}

    /** The message for the first rule the trust domain name breaks, or null if it is valid. */
    static String trustDomainProblem(String name) {
        if (name.isEmpty()) {
            return MISSING_TRUST_DOMAIN;
        }
        if (name.length() > TrustDomain.MAX_LENGTH) {
            return TRUST_DOMAIN_TOO_LONG;
        }
        for (int i = 0; i < name.length(); i++) {
            if (!isTrustDomainChar(name.charAt(i))) {
                return BAD_TRUST_DOMAIN_CHAR;
            }
        }
        return null;
    }

    /** The message for the first rule the path breaks, or null if it is valid ("" is valid). */
    static String pathProblem(String path) {
        if (path.isEmpty()) {
            return null;
        }
        if (path.charAt(0) != '/') {
            return NO_LEADING_SLASH;
        }
        int segmentStart = 1;
        for (int i = 1; i <= path.length(); i++) {
            if (i == path.length() || path.charAt(i) == '/') {
                String segment = path.substring(segmentStart, i);
                if (segment.isEmpty()) {
                    return i == path.length() ? TRAILING_SLASH : EMPTY_SEGMENT;
                }
                if (segment.equals(".") || segment.equals("..")) {
                    return DOT_SEGMENT;
                }
                segmentStart = i + 1;
            } else if (!isPathChar(path.charAt(i))) {
                return BAD_PATH_CHAR;
            }
        }
        return null;
    }

    private static boolean isTrustDomainChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
    }

    private static boolean isPathChar(char c) {
        return (c >= 'a' && c <= 'z')
                || (c >= 'A' && c <= 'Z')
                || (c >= '0' && c <= '9')
                || c == '.'
                || c == '-'
                || c == '_';
    }
}
