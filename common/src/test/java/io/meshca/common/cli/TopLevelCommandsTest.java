package io.meshca.common.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;

class TopLevelCommandsTest {

    @Command(name = "root")
    static final class Root implements Runnable {
        @Override
        public void run() {}
    }

    @Command(
            name = "entry",
            subcommands = {Show.class})
    static final class Entry implements Runnable {
        @Override
        public void run() {}
    }

    @Command(name = "show")
    static final class Show implements Runnable {
        @Override
        public void run() {}
    }

    @Command(name = "agent")
    static final class Agent implements Runnable {
        @Override
        public void run() {}
    }

    static final class NotACommand {}

    private final TopLevelCommands commands = new TopLevelCommands(List.of(Entry.class, Agent.class));

    @Test
    void aCommandLineNamingACommand_buildsOnlyThatSubtree() {
        CommandLine root = commands.addTo(new CommandLine(new Root()), "entry", "show");

        assertThat(root.getSubcommands()).containsOnlyKeys("entry");
        assertThat(root.getSubcommands().get("entry").getSubcommands()).containsOnlyKeys("show");
        assertThat(root.execute("entry", "show")).isZero();
    }

    @Test
    void noCommandHelpOrATypo_seeEveryCommandInOrder() {
        for (String[] args : List.of(new String[0], new String[] {"-h"}, new String[] {"entyr"})) {
            CommandLine root = commands.addTo(new CommandLine(new Root()), args);

            assertThat(root.getSubcommands().keySet()).containsExactly("entry", "agent");
        }
        assertThat(commands.names()).containsExactly("entry", "agent");
    }

    @Test
    void aClassWithoutANamedCommand_isRefused() {
        assertThatThrownBy(() -> new TopLevelCommands(List.of(NotACommand.class)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is not a named @Command");
    }
}
