package io.meshca.server.cli;

import io.grpc.ManagedChannel;
import io.meshca.proto.server.v1.GetLoggerRequest;
import io.meshca.proto.server.v1.LoggerGrpc;
import io.meshca.proto.server.v1.LoggerState;
import io.meshca.proto.server.v1.SetLogLevelRequest;
import io.meshca.server.logging.RootLogLevel;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code server logger get|set}: the running server's log level, as SPIRE's {@code logger} commands. */
@Command(
        name = "logger",
        footer = "meshca server logger set -level debug",
        description = "The running server's log level.",
        subcommands = {LoggerCommand.Get.class, LoggerCommand.Set.class})
final class LoggerCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand: get or set");
    }

    static void print(PrintWriter out, LoggerState state, String format) {
        if (Output.JSON_FORMAT.equals(format)) {
            Output.message(out, state);
            return;
        }
        out.println("Logger Level : " + state.getCurrentLevel());
        out.println("Launch Level : " + state.getLaunchLevel());
        out.flush();
    }

    @Command(name = "get", footer = "meshca server logger get -output json", description = "Shows the log level.")
    static final class Get extends AdminCommand {
        @Option(names = "-output", paramLabel = "format", description = Output.DESCRIPTION)
        String output = Output.PRETTY;

        @Override
        int call(ManagedChannel channel) {
            Output.json(spec, output);
            print(
                    out(),
                    withDeadline(LoggerGrpc.newBlockingStub(channel)).getLogger(GetLoggerRequest.getDefaultInstance()),
                    output);
            return 0;
        }
    }

    @Command(
            name = "set",
            footer = "meshca server logger set -level debug",
            description = "Sets the root log level of the running server until its next restart (audited).")
    static final class Set extends AdminCommand {
        @Option(
                names = "-level",
                paramLabel = "level",
                required = true,
                description = "trace, debug, info, warn or error.")
        String level;

        @Option(names = "-output", paramLabel = "format", description = Output.DESCRIPTION)
        String output = Output.PRETTY;

        @Override
        int call(ManagedChannel channel) {
            Output.json(spec, output);
            if (!RootLogLevel.LEVELS.contains(level)) {
                throw new CommandLine.ParameterException(
                        spec.commandLine(),
                        "unsupported -level \"" + level + "\" (supported: " + String.join(", ", RootLogLevel.LEVELS)
                                + ")");
            }
            print(
                    out(),
                    withDeadline(LoggerGrpc.newBlockingStub(channel))
                            .setLogLevel(SetLogLevelRequest.newBuilder()
                                    .setLevel(level)
                                    .build()),
                    output);
            return 0;
        }
    }
}
