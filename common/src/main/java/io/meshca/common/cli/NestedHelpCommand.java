package io.meshca.common.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code <cli> help [command [subcommand...]]}: the usage of any command of the tree, nested ones
 * included ({@code help entry create}); picocli's own help command stops at the first level.
 */
@Command(
        name = "help",
        helpCommand = true,
        description = "Shows the usage of a command, e.g. help entry create.",
        footer = "${PARENT-COMMAND-FULL-NAME} help run")
public final class NestedHelpCommand implements CommandLine.IHelpCommandInitializable2, Runnable {

    @Parameters(paramLabel = "command", arity = "0..*", description = "The command, with its subcommands.")
    List<String> path = new ArrayList<>();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private CommandLine parent;

    @Override
    public void init(
            CommandLine helpCommandLine, CommandLine.Help.ColorScheme colorScheme, PrintWriter out, PrintWriter err) {
        this.parent = helpCommandLine.getParent();
    }

    @Override
    public void run() {
        CommandLine target = parent;
        for (String name : path) {
            CommandLine next = target.getSubcommands().get(name);
            if (next == null) {
                throw new CommandLine.ParameterException(
                        spec.commandLine(),
                        "Unknown command: " + name
                                + Suggestions.didYouMean(
                                        name, target.getSubcommands().keySet()));
            }
            target = next;
        }
        target.usage(spec.commandLine().getOut());
        spec.commandLine().getOut().flush();
    }
}
