package io.meshca.agent.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code agent api ...}: talk to the local agent's Workload API as a workload would. */
@Command(
        name = "api",
        footer = "meshca agent api fetch x509",
        description = "Calls the Workload API of the local agent, as a workload would",
        subcommands = {ApiFetchCommand.class, ApiWatchCommand.class, ApiValidateCommand.class})
public final class ApiCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
