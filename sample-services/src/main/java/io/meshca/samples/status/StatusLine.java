package io.meshca.samples.status;

import io.meshca.common.logging.LogSafe;
import io.meshca.samples.identity.SvidInfo;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The one-line status messages orders and payments print on stdout and the demo runner reads back.
 * Plain {@code kind key=value...} text so that a human reading the log file understands it too.
 * Values never contain spaces (SPIFFE IDs, hex serials, ISO instants, numbers, class names), except
 * {@value #DESCRIPTION}: always the last field, it runs to the end of the line.
 */
public sealed interface StatusLine {

    /** The one free-text field: last on its line, so that it may contain spaces. */
    String DESCRIPTION = "description";

    /** Value printed for a field that has nothing to say (e.g. an exception without a cause). */
    String NONE = "-";

    /** Room for a status description and a TLS message (PKIX errors are long), still one readable line. */
    int MAX_DESCRIPTION_CHARS = 300;

    /** The line as printed. */
    String format();

    /**
     * This process now holds a new SVID.
     *
     * @param issuer SHA-256 fingerprint (hex) of the CA certificate that signed it, {@link
     *               SvidInfo#UNKNOWN_ISSUER} if the bundle holds none that did; a new value means the
     *               server's CA rotated
     */
    record Svid(String spiffeId, String serialHex, Instant notAfter, String issuer) implements StatusLine {
        public Svid {
            Objects.requireNonNull(spiffeId, "spiffeId");
            Objects.requireNonNull(serialHex, "serialHex");
            Objects.requireNonNull(notAfter, "notAfter");
            Objects.requireNonNull(issuer, "issuer");
        }

        public static Svid of(SvidInfo info) {
            return new Svid(info.spiffeId(), info.serialHex(), info.notAfter(), info.issuerFingerprint());
        }

        @Override
        public String format() {
            return "svid spiffe_id=" + spiffeId + " serial=" + serialHex + " not_after=" + notAfter + " issuer="
                    + issuer;
        }
    }

    /** Cumulative request counters of the orders traffic loop. */
    record Stats(long ok, long failed) implements StatusLine {
        public Stats {
            if (ok < 0 || failed < 0) {
                throw new IllegalArgumentException("counters cannot be negative");
            }
        }

        @Override
        public String format() {
            return "stats ok=" + ok + " failed=" + failed;
        }
    }

    /** The server is accepting connections on this port. */
    record Listening(int port) implements StatusLine {
        @Override
        public String format() {
            return "listening port=" + port;
        }
    }

    /** payments saw a client certificate it had not seen before (a handshake with a rotated SVID). */
    record Peer(String spiffeId, String serialHex) implements StatusLine {
        public Peer {
            Objects.requireNonNull(spiffeId, "spiffeId");
            Objects.requireNonNull(serialHex, "serialHex");
        }

        @Override
        public String format() {
            return "peer spiffe_id=" + spiffeId + " serial=" + serialHex;
        }
    }

    /**
     * orders is connected to payments (TLS done both ways, payments' HTTP/2 settings received) and starts
     * its traffic now.
     *
     * @param connectMillis how long the first connection took, start-up under load included
     */
    record Ready(long connectMillis) implements StatusLine {
        public Ready {
            if (connectMillis < 0) {
                throw new IllegalArgumentException("connect time cannot be negative");
            }
        }

        @Override
        public String format() {
            return "ready connect_ms=" + connectMillis;
        }
    }

    /**
     * One request that orders counted as failed, printed when it failed.
     *
     * @param orderId     the order it tried to pay
     * @param side        where it broke
     * @param code        the gRPC status code ({@code OK} for a bad receipt, which came with one)
     * @param exception   class of the exception the call ended with, {@link #NONE} for a bad receipt
     * @param cause       class of the exception under it (e.g. the TLS one), {@link #NONE} if none
     * @param description the status description and the cause's message; made printable and cut short
     *                    here, because payments' words and peer certificates' names reach it
     */
    record RequestFailed(
            String orderId, FailureSide side, String code, String exception, String cause, String description)
            implements StatusLine {
        public RequestFailed {
            requireToken(orderId, "orderId");
            Objects.requireNonNull(side, "side");
            requireToken(code, "code");
            requireToken(exception, "exception");
            requireToken(cause, "cause");
            description = oneLine(description);
        }

        @Override
        public String format() {
            return "failed order=" + orderId + " side=" + side.label() + " code=" + code + " exception=" + exception
                    + " cause=" + cause + " " + DESCRIPTION + "=" + description;
        }
    }

    /**
     * This service's TLS refused a peer's certificate: the other end's request fails, and this says why.
     *
     * @param description who was refused and why (no key material); made printable and cut short here
     */
    record Refused(String description) implements StatusLine {
        public Refused {
            description = oneLine(description);
        }

        @Override
        public String format() {
            return "refused " + DESCRIPTION + "=" + description;
        }
    }

    private static void requireToken(String value, String name) {
        Objects.requireNonNull(value, name);
        if (value.isEmpty() || value.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException(name + " must be one word, got '" + value + "'");
        }
    }

    /**
     * One printable line: line breaks (gRPC puts some in its descriptions) become spaces, the rest as
     * {@link LogSafe} has it. Applying it twice changes nothing, so lines parse back whole.
     */
    private static String oneLine(String description) {
        Objects.requireNonNull(description, DESCRIPTION);
        return LogSafe.of(description.replaceAll("\\s+", " ").strip(), MAX_DESCRIPTION_CHARS);
    }

    /**
     * Parses a line printed by {@link #format()}. Anything else (log lines, partial lines) is empty,
     * never an error: children's stdout and stderr are one stream.
     */
    static Optional<StatusLine> parse(String line) {
        String head = line.strip();
        Map<String, String> fields = new HashMap<>();
        int freeText = head.indexOf(" " + DESCRIPTION + "=");
        if (freeText >= 0) {
            fields.put(DESCRIPTION, head.substring(freeText + DESCRIPTION.length() + 2));
            head = head.substring(0, freeText);
        }
        String[] tokens = head.split(" ");
        for (int i = 1; i < tokens.length; i++) {
            int eq = tokens[i].indexOf('=');
            if (eq <= 0) {
                return Optional.empty();
            }
            fields.put(tokens[i].substring(0, eq), tokens[i].substring(eq + 1));
        }
        try {
            return Optional.ofNullable(
                    switch (tokens[0]) {
                        case "svid" ->
                            fields.size() == 4
                                    ? new Svid(
                                            fields.get("spiffe_id"),
                                            fields.get("serial"),
                                            Instant.parse(fields.get("not_after")),
                                            fields.get("issuer"))
                                    : null;
                        case "stats" ->
                            fields.size() == 2
                                    ? new Stats(Long.parseLong(fields.get("ok")), Long.parseLong(fields.get("failed")))
                                    : null;
                        case "listening" ->
                            fields.size() == 1 ? new Listening(Integer.parseInt(fields.get("port"))) : null;
                        case "peer" ->
                            fields.size() == 2 ? new Peer(fields.get("spiffe_id"), fields.get("serial")) : null;
                        case "ready" -> fields.size() == 1 ? new Ready(Long.parseLong(fields.get("connect_ms"))) : null;
                        case "failed" ->
                            fields.size() == 6
                                    ? new RequestFailed(
                                            fields.get("order"),
                                            FailureSide.ofLabel(fields.get("side"))
                                                    .orElseThrow(),
                                            fields.get("code"),
                                            fields.get("exception"),
                                            fields.get("cause"),
                                            fields.get(DESCRIPTION))
                                    : null;
                        case "refused" -> fields.size() == 1 ? new Refused(fields.get(DESCRIPTION)) : null;
                        default -> null;
                    });
        } catch (RuntimeException e) {
            // a log line that happens to start with a status word
            return Optional.empty();
        }
    }
}
