package io.meshca.common.logging;

/**
 * Text a caller chooses (a token's issuer, key id or audience, a ClusterID, an Envoy NACK message) on
 * its way into a log line: cut short and reduced to printable ASCII, so that no caller can forge log
 * lines (newlines, terminal escapes, bidi overrides) or flood the log.
 */
public final class LogSafe {

    public static final int DEFAULT_MAX_CHARS = 64;

    private LogSafe() {}

    public static String of(Object callerText) {
        return of(callerText, DEFAULT_MAX_CHARS);
    }

    public static String of(Object callerText, int maxChars) {
        if (callerText == null) {
            return "(none)";
        }
        String text = callerText.toString();
        String cut = text.length() > maxChars ? text.substring(0, maxChars) + "..." : text;
        StringBuilder out = new StringBuilder(cut.length());
        for (int i = 0; i < cut.length(); i++) {
            char c = cut.charAt(i);
            out.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return out.toString();
    }
}
