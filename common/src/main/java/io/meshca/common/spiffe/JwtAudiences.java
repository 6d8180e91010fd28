package io.meshca.common.spiffe;

import io.meshca.common.error.InvalidArgumentException;
import java.util.List;

/**
 * The bounds of a JWT-SVID's audience, checked by the agent's Workload API before it asks the server
 * and by the server before it signs. A token names the few services it is meant for; the bounds keep a
 * caller from making the server sign (and the agent cache, and the audit log record) arbitrarily large
 * claims, far above any real use.
 */
public final class JwtAudiences {

    /** Audiences in one request. */
    public static final int MAX_COUNT = 32;
    /** Characters in one audience: room for a URL or a SPIFFE ID of a service, not for a document. */
    public static final int MAX_LENGTH = 256;

    public static final String MISSING = "audience must be specified";
    public static final String EMPTY = "an audience cannot be empty or blank";

    private JwtAudiences() {}

    /**
     * Checks a JWT-SVID request's audience.
     *
     * @throws InvalidArgumentException naming the bound it breaks: none given, more than {@link
     *     #MAX_COUNT}, one empty, or one longer than {@link #MAX_LENGTH} characters
     */
    public static void check(List<String> audience) {
        if (audience.isEmpty()) {
            throw new InvalidArgumentException(MISSING);
        }
        if (audience.size() > MAX_COUNT) {
            throw new InvalidArgumentException(
                    "at most " + MAX_COUNT + " audiences per JWT-SVID, got " + audience.size());
        }
        audience.forEach(JwtAudiences::checkOne);
    }

    /**
     * Checks one audience value (also what a JWT-SVID is validated against).
     *
     * @throws InvalidArgumentException if it is empty, blank, or longer than {@link #MAX_LENGTH}
     */
    public static void checkOne(String audience) {
        if (audience == null || audience.isBlank()) {
            throw new InvalidArgumentException(EMPTY);
        }
        if (audience.length() > MAX_LENGTH) {
            throw new InvalidArgumentException(
                    "an audience is at most " + MAX_LENGTH + " characters, got one of " + audience.length());
        }
    }
}
