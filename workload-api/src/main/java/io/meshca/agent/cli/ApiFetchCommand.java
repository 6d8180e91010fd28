package io.meshca.agent.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code agent api fetch <kind>}: one fetch from the Workload API. */
@Command(
        name = "fetch",
        footer = "meshca agent api fetch x509 -write ./svids",
        description = "Fetches SVIDs from the Workload API once",
        subcommands = {ApiFetchX509Command.class, ApiFetchJwtCommand.class})
public final class ApiFetchCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
