package io.meshca.samples.cli;

import picocli.CommandLine;

/** picocli set up the meshca way: a failing command prints one line naming the problem and exits 1. */
public final class Cli {

    private Cli() {}

    public static CommandLine of(Object command) {
        CommandLine cli = new CommandLine(command);
        cli.setExecutionExceptionHandler((e, failed, parseResult) -> {
            failed.getErr().println(failed.getCommandName() + ": " + e.getMessage());
            return 1;
        });
        return cli;
    }
}
