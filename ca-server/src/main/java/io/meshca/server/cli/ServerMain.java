package io.meshca.server.cli;

import io.grpc.StatusRuntimeException;
import io.meshca.common.cli.CliConventions;
import io.meshca.common.cli.TopLevelCommands;
import io.meshca.common.error.GrpcErrors;
import io.meshca.common.error.MeshcaException;
import io.meshca.common.grpc.UnixSockets;
import io.meshca.common.logging.CommandLineLogging;
import io.meshca.common.logging.JulBridge;
import io.meshca.common.spiffe.Selector;
import io.meshca.common.spiffe.SpiffeId;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code meshca server <command>}: run the server, or talk to a running one over its admin socket.
 * Options are single-dash camelCase, like SPIRE's. Any failure prints one line naming the problem on
 * stderr and exits non-zero.
 */
@Command(
        name = "meshca server",
        footer = "meshca server entry show -selector unix:uid:1000",
        // the subcommands are COMMANDS, added per command line
        description = "The meshca certificate authority server.")
public final class ServerMain implements Runnable {

    /** The top-level commands, in the order the usage lists them. */
    static final TopLevelCommands COMMANDS = new TopLevelCommands(List.of(
            RunCommand.class,
            ValidateCommand.class,
            HealthcheckCommand.class,
            TokenCommand.class,
            EntryCommand.class,
            AgentCommand.class,
            BundleCommand.class,
            FederationCommand.class,
            AuditCommand.class,
            JwtCommand.class,
            X509Command.class,
            LocalAuthorityCommand.class,
            UpstreamAuthorityCommand.class,
            LoggerCommand.class));

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        if (!runsTheServer(args)) {
            CommandLineLogging.select();
        }
        JulBridge.install();
        System.exit(execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** {@code run} is the long-running server: it logs through logback.xml; every other command is short-lived. */
    static boolean runsTheServer(String[] args) {
        return args.length > 0 && args[0].equals("run");
    }

    /** Runs a command line; returns the exit code. */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        return commandLine(out, err, args).execute(args);
    }

    /** The server's whole command tree with its converters and error handling, writing to {@code out} and {@code err}. */
    public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        return commandLine(out, err, new String[0]);
    }

    /** The command tree {@code args} need: the one top-level command they name, or all of them. */
    static CommandLine commandLine(PrintWriter out, PrintWriter err, String[] args) {
        // help, version and the one-line answer to a bad command line: the same for every command
        CommandLine cli = CliConventions.install(COMMANDS.addTo(new CommandLine(new ServerMain()), args), "");
        cli.setOut(out);
        cli.setErr(err);
        cli.registerConverter(SpiffeId.class, text -> convert(() -> SpiffeId.parse(text)));
        cli.registerConverter(Selector.class, text -> convert(() -> Selector.parse(text)));
        cli.setExecutionExceptionHandler((ex, c, parsed) -> {
            err.println(message(ex, c));
            return 1;
        });
        return cli;
    }

    /** Domain parse errors become picocli conversion errors, so the message names the option and the rule. */
    private static <T> T convert(Supplier<T> parse) {
        try {
            return parse.get();
        } catch (MeshcaException e) {
            throw new CommandLine.TypeConversionException(e.getMessage());
        }
    }

    static String message(Exception ex, CommandLine command) {
        if (ex instanceof MeshcaException) {
            return ex.getMessage();
        }
        if (ex instanceof StatusRuntimeException sre) {
            String description = sre.getStatus().getDescription();
            return switch (sre.getStatus().getCode()) {
                case UNAVAILABLE -> unavailable(sre, command);
                default -> sre.getStatus().getCode() + ": " + (description == null ? "" : description);
            };
        }
        if (ex instanceof UncheckedIOException || ex instanceof IOException) {
            return "error: " + ex.getMessage();
        }
        return "error: " + ex;
    }

    private static String unavailable(StatusRuntimeException sre, CommandLine command) {
        String description = sre.getStatus().getDescription();
        if (GrpcErrors.fromServer(sre)) {
            // The server answered, but something it needs is away (its datastore): say what, not "is it running?".
            return "UNAVAILABLE: " + description;
        }
        return command.getCommand() instanceof AdminCommand a
                ? AdminSocketErrors.describe(UnixSockets.parseAddress(a.socketPath()), sre)
                : "unavailable: " + (description == null ? "" : description);
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getErr());
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
    }
}
