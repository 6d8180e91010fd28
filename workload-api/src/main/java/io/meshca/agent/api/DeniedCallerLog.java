package io.meshca.agent.api;

import io.grpc.Status;
import io.meshca.agent.endpoint.UnixPeer;
import io.meshca.common.config.Durations;
import io.meshca.common.logging.LogSafe;
import io.meshca.common.spiffe.Selector;
import io.meshca.common.spiffe.SelectorSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Says at INFO why a workload was refused an identity: its pid and uid, and the selectors the agent
 * found for it, which no registration entry matched — what an operator needs to write the missing
 * entry. A workload that retries in a loop would fill the log, so each caller (uid and selector set)
 * is reported at most once per {@link #WINDOW}.
 *
 * <p>Selector values are not secrets, but a workload chooses some of them (its executable's path, its
 * main class), so each goes through {@link LogSafe}.
 */
final class DeniedCallerLog {

    static final Duration WINDOW = Duration.ofMinutes(1);

    /** Callers remembered at once; past it, a new caller is not logged until old ones age out. */
    static final int MAX_TRACKED = 1024;

    private static final int SELECTOR_MAX_CHARS = 256;
    private static final Logger log = LoggerFactory.getLogger(DeniedCallerLog.class);

    private record Caller(int uid, SelectorSet selectors) {}

    private final Clock clock;
    private final Map<Caller, Instant> lastLogged = new HashMap<>(); // guarded by this

    DeniedCallerLog(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Reports a refused call of {@code method} by {@code peer}, unless this caller was reported within the window. */
    void denied(UnixPeer peer, SelectorSet selectors, String method, Status status) {
        if (!shouldLog(new Caller(peer.uid(), selectors))) {
            return;
        }
        String reason = SnapshotStream.NO_IDENTITY.equals(status.getDescription())
                ? "no registration entry matches its selectors"
                : LogSafe.of(status.getDescription(), SELECTOR_MAX_CHARS) + "; its selectors";
        log.info(
                "workload pid {} (uid {}) denied on {}: {} {} (not repeated for this caller for {})",
                peer.pid(),
                peer.uid(),
                method,
                reason,
                describe(selectors),
                Durations.format(WINDOW));
    }

    private synchronized boolean shouldLog(Caller caller) {
        Instant now = clock.instant();
        Instant last = lastLogged.get(caller);
        if (last != null && now.isBefore(last.plus(WINDOW))) {
            return false;
        }
        if (last == null && lastLogged.size() >= MAX_TRACKED) {
            lastLogged.values().removeIf(at -> !now.isBefore(at.plus(WINDOW)));
            if (lastLogged.size() >= MAX_TRACKED) {
                return false;
            }
        }
        lastLogged.put(caller, now);
        return true;
    }

    private static String describe(SelectorSet selectors) {
        if (selectors.isEmpty()) {
            return "[] (none)";
        }
        return selectors.asSet().stream()
                .map(Selector::toString)
                .sorted()
                .map(text -> LogSafe.of(text, SELECTOR_MAX_CHARS))
                .collect(Collectors.joining(", ", "[", "]"));
    }
}
