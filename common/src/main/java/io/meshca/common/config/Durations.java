package io.meshca.common.config;

import io.meshca.common.error.InvalidArgumentException;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/**
 * The one duration grammar of every config key and CLI flag: a whole number with a unit, {@code 500ms},
 * {@code 30s}, {@code 5m}, {@code 1h}, {@code 1d}, or a bare number of seconds (as SPIRE's {@code -ttl}
 * and {@code -x509SVIDTTL} take them). No signs, fractions or compound forms, so {@code -5s} and
 * {@code 1h30m} are refused rather than half-understood.
 */
public final class Durations {

    /** What every refusal ends with, so a reader learns the grammar from any one of them. */
    public static final String HINT =
            "use a number with ms, s, m, h or d, e.g. 500ms, 90s, 10m, 24h, 7d;" + " a bare number is seconds";

    private static final Pattern FORMAT = Pattern.compile("(\\d{1,9})([a-z]*)");

    private Durations() {}

    /**
     * Parses {@code text} for the setting {@code name} (a config key or a flag, named in the error).
     * Zero is allowed: use {@link #parsePositive} where a zero duration makes no sense.
     *
     * @throws InvalidArgumentException naming the setting, the text and the grammar
     */
    public static Duration parse(String name, String text) {
        return parse(name, text, false);
    }

    /**
     * Like {@link #parse}, and refuses zero.
     *
     * @throws InvalidArgumentException as {@link #parse}, or naming the setting when the duration is zero
     */
    public static Duration parsePositive(String name, String text) {
        return parse(name, text, true);
    }

    private static Duration parse(String name, String text, boolean positive) {
        try {
            return read(text, positive);
        } catch (Refused e) {
            throw new InvalidArgumentException(name + ": " + e.getMessage());
        }
    }

    /** The duration {@code text} denotes; a refusal's message names the text and the problem, not the setting. */
    private static Duration read(String text, boolean positive) throws Refused {
        if (text == null || text.isBlank()) {
            throw new Refused("invalid duration '' (" + HINT + ")");
        }
        Matcher m = FORMAT.matcher(text.strip());
        if (!m.matches()) {
            throw new Refused("invalid duration '" + text + "' (" + HINT + ")");
        }
        long n = Long.parseLong(m.group(1));
        Duration d = switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "", "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            case "d" -> Duration.ofDays(n);
            default ->
                throw new Refused("invalid duration '" + text + "': unknown unit '" + m.group(2) + "' (" + HINT + ")");
        };
        if (positive && d.isZero()) {
            throw new Refused("invalid duration '" + text + "': must be greater than zero");
        }
        return d;
    }

    /** Why a text is not a duration; the callers add the setting's name (or picocli adds the option's). */
    private static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;

        Refused(String message) {
            super(message, null, false, false);
        }
    }

    /** {@code 90s}, {@code 1500ms}, {@code 2h}: the shortest exact form that {@link #parse} reads back. */
    public static String format(Duration d) {
        if (d.toMillis() % 1000 != 0) {
            return d.toMillis() + "ms";
        }
        long s = d.toSeconds();
        if (s != 0 && s % 86_400 == 0) {
            return s / 86_400 + "d";
        }
        if (s != 0 && s % 3600 == 0) {
            return s / 3600 + "h";
        }
        if (s != 0 && s % 60 == 0) {
            return s / 60 + "m";
        }
        return s + "s";
    }

    /**
     * The picocli converter of every duration flag: {@link #parsePositive}, the option's name in the
     * message. Use {@link NonNegative} where zero means "the default".
     */
    public static final class Positive implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            return Durations.convert(value, true);
        }
    }

    /** The picocli converter of duration flags where zero is meaningful (e.g. "the server's default"). */
    public static final class NonNegative implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            return Durations.convert(value, false);
        }
    }

    private static Duration convert(String value, boolean positive) {
        try {
            return read(value, positive);
        } catch (Refused e) {
            // picocli prefixes the option's name ("Invalid value for option '-ttl': ...")
            throw new CommandLine.TypeConversionException(e.getMessage());
        }
    }
}
