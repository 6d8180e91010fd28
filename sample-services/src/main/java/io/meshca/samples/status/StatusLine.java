package io.meshca.samples.status;

import io.meshca.samples.identity.SvidInfo;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The one-line status messages orders and payments print on stdout and the demo runner reads back.
 * Plain {@code kind key=value...} text so that a human reading the log file understands it too.
 * Values never contain spaces (SPIFFE IDs, hex serials, ISO instants, numbers).
 */
public sealed interface StatusLine {

    /** The line as printed. */
    String format();

    /** This process now holds a new SVID. */
    record Svid(String spiffeId, String serialHex, Instant notAfter) implements StatusLine {
        public Svid {
            Objects.requireNonNull(spiffeId, "spiffeId");
            Objects.requireNonNull(serialHex, "serialHex");
            Objects.requireNonNull(notAfter, "notAfter");
        }

        public static Svid of(SvidInfo info) {
            return new Svid(info.spiffeId(), info.serialHex(), info.notAfter());
        }

        @Override
        public String format() {
            return "svid spiffe_id=" + spiffeId + " serial=" + serialHex + " not_after=" + notAfter;
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
     * Parses a line printed by {@link #format()}. Anything else (log lines, partial lines) is empty,
     * never an error: children's stdout and stderr are one stream.
     */
    static Optional<StatusLine> parse(String line) {
        String[] tokens = line.strip().split(" ");
        Map<String, String> fields = new HashMap<>();
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
                            fields.size() == 3
                                    ? new Svid(
                                            fields.get("spiffe_id"),
                                            fields.get("serial"),
                                            Instant.parse(fields.get("not_after")))
                                    : null;
                        case "stats" ->
                            fields.size() == 2
                                    ? new Stats(Long.parseLong(fields.get("ok")), Long.parseLong(fields.get("failed")))
                                    : null;
                        case "listening" ->
                            fields.size() == 1 ? new Listening(Integer.parseInt(fields.get("port"))) : null;
                        case "peer" ->
                            fields.size() == 2 ? new Peer(fields.get("spiffe_id"), fields.get("serial")) : null;
                        default -> null;
                    });
        } catch (RuntimeException e) {
            // a log line that happens to start with a status word
            return Optional.empty();
        }
    }
}
