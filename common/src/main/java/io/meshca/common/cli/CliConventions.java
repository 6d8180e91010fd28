package io.meshca.common.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The conventions every meshca command line follows, installed on a whole command tree at once so
 * that no command can miss them:
 *
 * <ul>
 *   <li>every command answers {@code -h}, {@code -help} and {@code --help} with its usage;
 *   <li>a command's {@code footer} is its example, shown under an {@code Example:} heading;
 *   <li>the root has {@code -version}/{@code --version}, a {@code version} command, and a {@code help}
 *       command that reaches nested commands ({@code help entry create});
 *   <li>a bad command line is one line on stderr, exit 2; an unknown flag is reported before a missing
 *       required one (a typo in a flag name is the more useful thing to hear about) and names the flag
 *       nearest to it.
 * </ul>
 */
public final class CliConventions {

    public static final List<String> HELP_NAMES = List.of("-h", "-help", "--help");
    public static final List<String> VERSION_NAMES = List.of("-version", "--version");
    public static final String EXAMPLE_HEADING = "Example:";
    static final int EXAMPLE_WIDTH = 78;

    private CliConventions() {}

    /**
     * Installs the conventions on {@code root} and every command below it. Call it right after creating
     * the command line, before registering converters (they reach only commands that exist).
     *
     * @param errorPrefix what starts each error line ({@code "error: "} or "")
     */
    public static CommandLine install(CommandLine root, String errorPrefix) {
        if (!root.getSubcommands().containsKey("help")) {
            root.addSubcommand(new NestedHelpCommand());
        }
        if (!root.getSubcommands().containsKey("version")) {
            root.addSubcommand(new VersionCommand());
        }
        CommandSpec rootSpec = root.getCommandSpec();
        rootSpec.mixinStandardHelpOptions(false);
        rootSpec.versionProvider(new VersionCommand.Provider());
        rootSpec.addOption(OptionSpec.builder(VERSION_NAMES.toArray(String[]::new))
                .versionHelp(true)
                .description("Prints the meshca version and exits.")
                .build());
        walk(root);
        root.setParameterExceptionHandler((ex, args) -> {
            CommandLine failed = ex.getCommandLine();
            failed.getErr().println(errorPrefix + describe(ex));
            failed.getErr().flush();
            return 2;
        });
        return root;
    }

    private static void walk(CommandLine command) {
        CommandSpec spec = command.getCommandSpec();
        // Our own help flags replace picocli's -h/-V mixin, so that every command has the same ones.
        spec.mixinStandardHelpOptions(false);
        if (HELP_NAMES.stream().noneMatch(spec.optionsMap()::containsKey)) {
            spec.addOption(OptionSpec.builder(HELP_NAMES.toArray(String[]::new))
                    .usageHelp(true)
                    .description("Shows this help and exits.")
                    .build());
        }
        String[] footer = spec.usageMessage().footer();
        if (footer.length > 0) {
            spec.usageMessage()
                    .footerHeading("%n" + EXAMPLE_HEADING + "%n")
                    .footer(Arrays.stream(footer)
                            .flatMap(line -> shellLines(line).stream())
                            .toArray(String[]::new));
        }
        command.getSubcommands().values().forEach(CliConventions::walk);
    }

    /**
     * An example command line as shell lines of at most {@link #EXAMPLE_WIDTH} characters, broken before a
     * flag with a trailing backslash, so that it can be pasted as it is (picocli would wrap it anywhere).
     */
    static List<String> shellLines(String example) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder("  ");
        for (String part : example.split(" (?=-)")) {
            if (line.length() > 2 && line.length() + 1 + part.length() > EXAMPLE_WIDTH - 2) {
                lines.add(line.append(" \\").toString());
                line = new StringBuilder("      ");
            } else if (line.length() > 2) {
                line.append(' ');
            }
            line.append(part);
        }
        lines.add(line.toString());
        return lines;
    }

    /** One line: unknown flags (with the nearest known one) first, else picocli's own message. */
    static String describe(CommandLine.ParameterException ex) {
        CommandLine command = ex.getCommandLine();
        CommandLine.ParseResult parsed = command.getParseResult();
        List<String> unmatched = parsed == null ? List.of() : parsed.unmatched();
        List<String> unknownFlags = new ArrayList<>();
        for (String arg : unmatched) {
            if (arg.startsWith("-")) {
                String name = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
                unknownFlags.add(name
                        + Suggestions.didYouMean(
                                name, command.getCommandSpec().optionsMap().keySet()));
            }
        }
        if (!unknownFlags.isEmpty()) {
            return "Unknown option" + (unknownFlags.size() > 1 ? "s" : "") + ": " + String.join(", ", unknownFlags);
        }
        if (!unmatched.isEmpty() && !command.getSubcommands().isEmpty()) {
            String name = unmatched.get(0);
            return "Unknown command: " + name
                    + Suggestions.didYouMean(name, command.getSubcommands().keySet());
        }
        return ex.getMessage();
    }
}
