package io.meshca.server.cli;

import io.meshca.common.error.MeshcaException;
import io.meshca.server.config.ServerConfig;
import io.meshca.server.plugin.ServerCatalog;
import java.io.UncheckedIOException;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code server validate}: builds the config exactly as {@code run} does (file, then flags) and checks
 * every plugin block, without opening the datastore, the key store or any socket.
 */
@Command(
        name = "validate",
        footer = "meshca server validate -config server.yaml",
        description = "Checks a server config as run would (plugin blocks included), starting nothing.")
final class ValidateCommand implements Callable<Integer> {

    static final String DEFAULTS = "(the defaults and flags)";

    @Mixin
    ServerFlags flags;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        String source = flags.config == null ? DEFAULTS : flags.config.toString();
        try {
            ServerConfig config = flags.buildConfig();
            ServerCatalog.validate(config.plugins(), config.clock());
        } catch (MeshcaException | UncheckedIOException e) {
            String message = e.getMessage();
            spec.commandLine()
                    .getErr()
                    .println(
                            flags.config == null || message.contains(flags.config.toString())
                                    ? message
                                    : flags.config + ": " + message);
            spec.commandLine().getErr().flush();
            return 1;
        }
        spec.commandLine().getOut().println("config " + source + " is valid");
        spec.commandLine().getOut().flush();
        return 0;
    }
}
