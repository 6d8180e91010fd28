package io.meshca.server.istio;

/**
 * Text an unauthenticated caller chooses (a token's issuer, key id or audience, a ClusterID) on its
 * way into the server log: cut short and reduced to printable, unambiguous characters, so that no caller
 * can forge log lines or flood the log.
 */
final class LogSafe {

    static final int MAX_CHARS = 64;

    private LogSafe() {
    }

    static String of(Object callerText) {
        if (callerText == null) {
            return "(none)";
        }
        String text = callerText.toString();
        String cut = text.length() > MAX_CHARS ? text.substring(0, MAX_CHARS) + "..." : text;
        return cut.replaceAll("[^A-Za-z0-9._:/@\\[\\], -]", "?");
    }
}
