package io.meshca.samples.demo;

import java.util.List;

/** Reads the join token out of {@code server token generate}'s output. */
final class JoinTokens {

    static final String PREFIX = "Token: ";
    static final String MISSING = "token generate printed no 'Token: <token>' line";

    private JoinTokens() {}

    /** The token of the first {@code Token: <token>} line; the error never repeats the output (it holds secrets). */
    static String parse(List<String> output) throws DemoFailure {
        for (String line : output) {
            if (line.startsWith(PREFIX) && !line.substring(PREFIX.length()).isBlank()) {
                return line.substring(PREFIX.length()).strip();
            }
        }
        throw new DemoFailure(MISSING);
    }
}
