package io.meshca.common.spiffe;

import io.meshca.common.error.InvalidArgumentException;

/** A string that is not a valid SPIFFE ID or trust domain; the message names the broken rule. */
public final class InvalidSpiffeIdException extends InvalidArgumentException {

    private static final long serialVersionUID = 1L;

    private final String rule;

    public InvalidSpiffeIdException(String rule, String input) {
        super("invalid SPIFFE ID \"" + input + "\": " + rule);
        this.rule = rule;
    }

    /** One of the {@link SpiffeIdRules} constants. */
    public String rule() {
        return rule;
    }
}
