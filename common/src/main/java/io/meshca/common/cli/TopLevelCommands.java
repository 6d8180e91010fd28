package io.meshca.common.cli;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The top-level commands of a CLI, added to its root on demand: a command line that names one of them
 * builds only that one's subtree.
 *
 * <p>Why: picocli builds its model of a command by reflection over the class and its options, and
 * {@link CliConventions} then walks every command; for the server's ~130 commands that was most of
 * what {@code meshca server version} cost beyond a bare JVM (600 ms against 130 ms on this machine). An
 * admin call needs one subtree. Help on the root, a typo in the command name and no command at all
 * still see every command.
 */
public final class TopLevelCommands {

    private final Map<String, Class<?>> byName = new LinkedHashMap<>();

    /** @param commands classes annotated with {@link Command}, in the order the root's usage lists them */
    public TopLevelCommands(List<Class<?>> commands) {
        for (Class<?> command : commands) {
            Command annotation = command.getAnnotation(Command.class);
            if (annotation == null || annotation.name().isEmpty()) {
                throw new IllegalArgumentException(command.getName() + " is not a named @Command");
            }
            byName.put(annotation.name(), command);
        }
    }

    /** Every command name, in order. */
    public Collection<String> names() {
        return byName.keySet();
    }

    /**
     * Adds to {@code root} the command {@code args} runs, or every command when {@code args} does not start
     * with one of their names; returns {@code root}.
     */
    public CommandLine addTo(CommandLine root, String... args) {
        Class<?> only = args.length > 0 ? byName.get(args[0]) : null;
        for (Class<?> command : only != null ? List.<Class<?>>of(only) : byName.values()) {
            root.addSubcommand(command);
        }
        return root;
    }
}
