package io.meshca.server.config;

import java.time.Duration;

/** Parses the duration forms used in config and flags: {@code 45}, {@code 45s}, {@code 10m}, {@code 24h}, {@code 7d}. */
public final class Durations {

    private Durations() {}

    public static Duration parse(String key, String text) {
        if (text == null || text.isBlank()) {
            throw new ConfigException(key + " is empty");
        }
        String t = text.trim();
        char unit = t.charAt(t.length() - 1);
        String number = Character.isDigit(unit) ? t : t.substring(0, t.length() - 1);
        long n;
        try {
            n = Long.parseLong(number);
        } catch (NumberFormatException e) {
            throw new ConfigException(key + " is not a duration (like 90s, 10m, 24h): \"" + text + "\"");
        }
        return switch (Character.isDigit(unit) ? 's' : unit) {
            case 's' -> Duration.ofSeconds(n);
            case 'm' -> Duration.ofMinutes(n);
            case 'h' -> Duration.ofHours(n);
            case 'd' -> Duration.ofDays(n);
            default ->
                throw new ConfigException(
                        key + " has an unknown unit '" + unit + "' (use s, m, h or d): \"" + text + "\"");
        };
    }
}
