package io.meshca.agent.cli;

import io.meshca.common.cli.CliConventions;
import io.meshca.common.cli.TopLevelCommands;
import io.meshca.common.error.MeshcaException;
import io.meshca.common.logging.CommandLineLogging;
import io.meshca.common.logging.JulBridge;
import java.io.UncheckedIOException;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code meshca agent <command>}: the node agent's command line. Flags follow SPIRE's style (single
 * dash, camelCase). Bad input gets one line naming the problem and a non-zero exit.
 */
@Command(
        name = "meshca agent",
        footer = "meshca agent run -config agent.yaml",
        // the subcommands are COMMANDS, added per command line
        description = "meshca node agent: serves SPIFFE identities to the workloads of this node")
public final class AgentMain implements Runnable {

    /** The top-level commands, in the order the usage lists them. */
    static final TopLevelCommands COMMANDS =
            new TopLevelCommands(List.of(RunCommand.class, ApiCommand.class, HealthcheckCommand.class));

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        if (!runsTheAgent(args)) {
            CommandLineLogging.select();
        }
        JulBridge.install();
        System.exit(execute(args));
    }

    /** {@code run} is the long-running agent: it logs through logback.xml; every other command is short-lived. */
    static boolean runsTheAgent(String[] args) {
        return args.length > 0 && args[0].equals("run");
    }

    /** Runs a command line and returns its exit code. */
    public static int execute(String... args) {
        return commandLine(args).execute(args);
    }

    /**
     * The agent's command line with its error handling: a domain error or an I/O failure prints one
     * line {@code error: ...} and exits 1; a bad flag prints one line and exits 2. Tests set its
     * out/err writers.
     */
    public static CommandLine commandLine() {
        return commandLine(new String[0]);
    }

    /** The command tree {@code args} need: the one top-level command they name, or all of them. */
    static CommandLine commandLine(String... args) {
        // help, version and the one-line answer to a bad command line: the same for every command
        CommandLine commandLine =
                CliConventions.install(COMMANDS.addTo(new CommandLine(new AgentMain()), args), "error: ");
        commandLine.setExecutionExceptionHandler((error, cmd, parsed) -> {
            if (error instanceof MeshcaException || error instanceof UncheckedIOException) {
                cmd.getErr().println("error: " + error.getMessage());
                return 1;
            }
            throw error;
        });
        return commandLine;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
