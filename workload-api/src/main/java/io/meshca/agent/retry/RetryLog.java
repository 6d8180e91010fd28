package io.meshca.agent.retry;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;
import org.slf4j.Logger;

/**
 * The one way the agent reports a failed call it will retry: a single WARN line with the reason and
 * the wait ({@code agent SVID renewal failed: ca-server 127.0.0.1:8081 unavailable (connection
 * refused); retrying in 2s}), and the exception's stack trace only at DEBUG. While the server is down
 * every retry loop says the same thing the same way, one line per attempt. A busy server, which may
 * refuse every batch of a run for a while, is reported through {@link Throttled}: one line a period.
 */
public final class RetryLog {

    private RetryLog() {}

    /**
     * @param error what failed; its message is the reason (the agent's errors are written as one line)
     * @param context what the agent does meanwhile ({@code keeping serial 3f (expires ...)}), or empty
     * @param delay the wait before the next attempt
     */
    public static void retrying(Logger log, Throwable error, String context, Duration delay) {
        Objects.requireNonNull(error, "error");
        String reason = error.getMessage() != null
                ? error.getMessage()
                : error.getClass().getSimpleName();
        log.warn("{}{}; retrying in {}", reason, context.isEmpty() ? "" : "; " + context, format(delay));
        if (log.isDebugEnabled()) {
            log.debug("the failure before that retry", error);
        }
    }

    /**
     * {@link #retrying} at most once per period, the line after a quiet spell counting what it left out:
     * during a storm the server refuses batches every few hundred milliseconds, which says nothing new
     * after the first line. What is left out goes to DEBUG. Thread-safe.
     */
    public static final class Throttled {

        /** How often a busy server is reported at most. */
        public static final Duration BUSY_PERIOD = Duration.ofSeconds(30);

        private final Clock clock;
        private final Duration period;
        private Instant last;
        private int leftOut;

        public Throttled(Clock clock, Duration period) {
            this.clock = Objects.requireNonNull(clock, "clock");
            this.period = Objects.requireNonNull(period, "period");
        }

        /** As {@link RetryLog#retrying}, unless a line went out less than a period ago. */
        public synchronized void retrying(Logger log, Throwable error, String context, Duration delay) {
            Instant now = clock.instant();
            if (last != null && now.isBefore(last.plus(period))) {
                leftOut++;
                log.debug("{}; retrying in {}", error.getMessage(), format(delay));
                return;
            }
            String more = leftOut == 0 ? "" : leftOut + " more like it in the last " + format(period);
            RetryLog.retrying(
                    log, error, context.isEmpty() || more.isEmpty() ? context + more : context + "; " + more, delay);
            last = now;
            leftOut = 0;
        }
    }

    /** A wait as people read it: {@code 250ms}, {@code 1.7s}, {@code 2s}, {@code 1m30s}. */
    public static String format(Duration delay) {
        long millis = Math.max(0, delay.toMillis());
        if (millis < 1000) {
            return millis + "ms";
        }
        if (millis < 60_000) {
            long tenths = Math.round(millis / 100.0);
            return tenths % 10 == 0
                    ? tenths / 10 + "s"
                    : String.format(Locale.ROOT, "%d.%ds", tenths / 10, tenths % 10);
        }
        long seconds = Math.round(millis / 1000.0);
        return seconds % 60 == 0 ? seconds / 60 + "m" : seconds / 60 + "m" + seconds % 60 + "s";
    }
}
