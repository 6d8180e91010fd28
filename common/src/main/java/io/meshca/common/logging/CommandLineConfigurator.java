package io.meshca.common.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.LayoutBase;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * Logging for the short-lived admin commands ({@code meshca server entry show}, {@code meshca agent
 * healthcheck}...): warnings and errors on stderr, one plain line each, configured in code.
 *
 * <p>Why not logback.xml: parsing it loads logback's XML machinery (about 600 classes with the JDK's SAX
 * parser), a third of what an admin call loads and a large share of its start-up time. A program's
 * {@code main} calls {@link CommandLineLogging#select()} before anything logs when the command is not a long-running one;
 * logback finds this class through {@code META-INF/services} before its own configurators, and steps
 * aside (logback.xml applies) unless the command line asked for it.
 */
public final class CommandLineConfigurator extends ContextAwareBase implements Configurator {

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (!CommandLineLogging.selected()) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        PlainLineLayout layout = new PlainLineLayout();
        layout.setContext(context);
        layout.start();
        LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
        encoder.setContext(context);
        encoder.setLayout(layout);
        encoder.start();
        ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
        stderr.setContext(context);
        stderr.setName("STDERR");
        stderr.setTarget("System.err");
        stderr.setEncoder(encoder);
        stderr.start();

        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.toLevel(configuredLevel(), Level.WARN));
        root.addAppender(stderr);
        // as in logback.xml: on a unix socket Netty warns once per connection that SO_KEEPALIVE does not apply
        context.getLogger("io.netty.bootstrap").setLevel(Level.ERROR);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    /** MESHCA_LOG_LEVEL, as for the long-running programs; a command's default is WARN. */
    private static String configuredLevel() {
        String level = System.getProperty("MESHCA_LOG_LEVEL", System.getenv("MESHCA_LOG_LEVEL"));
        return level == null ? "WARN" : level;
    }

    /** {@code LEVEL logger - message}, and the stack trace if any; no pattern parser to load. */
    static final class PlainLineLayout extends LayoutBase<ILoggingEvent> {
        @Override
        public String doLayout(ILoggingEvent event) {
            StringBuilder line = new StringBuilder(128)
                    .append(event.getLevel())
                    .append(' ')
                    .append(event.getLoggerName())
                    .append(" - ")
                    .append(event.getFormattedMessage())
                    .append(System.lineSeparator());
            var thrown = event.getThrowableProxy();
            while (thrown != null) {
                line.append(thrown.getClassName())
                        .append(": ")
                        .append(thrown.getMessage())
                        .append(System.lineSeparator());
                for (var frame : thrown.getStackTraceElementProxyArray()) {
                    line.append("\t").append(frame.getSTEAsString()).append(System.lineSeparator());
                }
                thrown = thrown.getCause();
            }
            return line.toString();
        }
    }
}
