package io.meshca.common.logging;

/**
 * Chooses how a meshca program logs: the long-running ones (server, agent, demo) through logback.xml, the
 * short-lived admin commands through {@link CommandLineConfigurator} (warnings and errors on stderr, no XML
 * to parse at start-up). Kept apart from the configurator so that a {@code main} can choose without
 * loading logback.
 */
public final class CommandLineLogging {

    /** System property that selects the command-line configuration; set by {@link #select()}. */
    public static final String PROPERTY = "meshca.logging.commandLine";

    private CommandLineLogging() {}

    /** Makes this process log the command-line way; call before the first log line. */
    public static void select() {
        System.setProperty(PROPERTY, "true");
    }

    static boolean selected() {
        return Boolean.getBoolean(PROPERTY);
    }
}
