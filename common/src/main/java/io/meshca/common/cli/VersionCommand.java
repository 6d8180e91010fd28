package io.meshca.common.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code <cli> version}: prints {@code meshca <version>}, as {@code -version} does. */
@Command(name = "version", description = "Prints the meshca version.", footer = "${PARENT-COMMAND-FULL-NAME} version")
public final class VersionCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** The one line both {@code version} and {@code -version} print. */
    public static String line() {
        return "meshca " + MeshcaVersion.get();
    }

    @Override
    public void run() {
        spec.commandLine().getOut().println(line());
        spec.commandLine().getOut().flush();
    }

    /** For the root's {@code -version}/{@code --version}. */
    static final class Provider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {line()};
        }
    }
}
