package io.meshca.server.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import io.meshca.common.error.FailedPreconditionException;
import io.meshca.common.error.InvalidArgumentException;
import java.util.List;
import java.util.Locale;
import org.slf4j.LoggerFactory;

/**
 * The root log level of this process, changed through logback (the level of every logger without one
 * of its own; java.util.logging follows through logback's level propagator). The level at creation is
 * remembered as the launch level.
 */
public final class RootLogLevel {

    public static final List<String> LEVELS = List.of("trace", "debug", "info", "warn", "error");

    private final Logger root;
    private final String launchLevel;

    private RootLogLevel(Logger root) {
        this.root = root;
        this.launchLevel = name(root.getLevel());
    }

    /**
     * The root logger of logback, the logging of every meshca program.
     *
     * @throws FailedPreconditionException if SLF4J is bound to another backend
     */
    public static RootLogLevel ofLogback() {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            throw new FailedPreconditionException("the log level cannot be changed: logging is not logback's but "
                    + LoggerFactory.getILoggerFactory().getClass().getName());
        }
        return new RootLogLevel(context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME));
    }

    public String current() {
        return name(root.getLevel());
    }

    public String launch() {
        return launchLevel;
    }

    /**
     * Sets the root level.
     *
     * @throws InvalidArgumentException naming the levels if {@code level} is none of them (case ignored)
     */
    public String set(String level) {
        String wanted = level == null ? "" : level.strip().toLowerCase(Locale.ROOT);
        if (!LEVELS.contains(wanted)) {
            throw new InvalidArgumentException(
                    "unknown log level \"" + level + "\" (supported: " + String.join(", ", LEVELS) + ")");
        }
        root.setLevel(Level.toLevel(wanted));
        return current();
    }

    private static String name(Level level) {
        return level == null ? "" : level.toString().toLowerCase(Locale.ROOT);
    }
}
