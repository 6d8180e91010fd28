package io.meshca.samples;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshca.agent.cli.AgentMain;
import io.meshca.server.cli.ServerMain;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The ./meshca launcher's usage text names every command of the programs it runs, read from their
 * picocli command trees: a command is listed when one line of its program's section holds the names
 * of its path (e.g. {@code entry create|show|update|delete} lists {@code server entry create}).
 */
class LauncherUsageTest {

    private static final Path LAUNCHER = Path.of("..", "meshca");

    @Test
    void listsEveryServerCommand() throws IOException {
        assertListsEvery(
                ServerMain.commandLine(new PrintWriter(Writer.nullWriter()), new PrintWriter(Writer.nullWriter())),
                section("server"));
    }

    @Test
    void listsEveryAgentCommand() throws IOException {
        assertListsEvery(AgentMain.commandLine(), section("agent"));
    }

    @Test
    void listsEverySamplesCommand() throws IOException {
        assertListsEvery(SamplesMain.commandLine(), usage());
    }

    private static void assertListsEvery(CommandLine root, List<String> lines) {
        List<List<String>> paths = new ArrayList<>();
        collect(root, new ArrayList<>(), paths);
        assertThat(paths).isNotEmpty();
        for (List<String> path : paths) {
            assertThat(lines)
                    .as("usage line naming %s", String.join(" ", path))
                    .anyMatch(line -> path.stream()
                            .allMatch(name -> word(name).matcher(line).find()));
        }
    }

    /** Every leaf command's path below the root, e.g. [entry, create]. */
    private static void collect(CommandLine command, List<String> path, List<List<String>> paths) {
        if (command.getSubcommands().isEmpty()) {
            paths.add(List.copyOf(path));
            return;
        }
        command.getSubcommands().forEach((name, sub) -> {
            List<String> longer = new ArrayList<>(path);
            longer.add(name);
            collect(sub, longer, paths);
        });
    }

    private static Pattern word(String name) {
        return Pattern.compile("(?<![\\w-])" + Pattern.quote(name) + "(?![\\w-])");
    }

    /** The lines of one top-level command's entry: its own line and the indented ones below it. */
    private static List<String> section(String command) throws IOException {
        List<String> lines = usage();
        int start = lines.indexOf(lines.stream()
                .filter(l -> l.startsWith("  " + command + " "))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no usage entry for " + command)));
        List<String> section = new ArrayList<>(List.of(lines.get(start)));
        for (String line : lines.subList(start + 1, lines.size())) {
            if (!line.startsWith("   ")) {
                break;
            }
            section.add(line);
        }
        return section;
    }

    /** The text between {@code cat <<'USAGE'} and {@code USAGE} in the launcher. */
    private static List<String> usage() throws IOException {
        List<String> script = Files.readAllLines(LAUNCHER);
        int start = script.indexOf("  cat <<'USAGE'");
        int end = script.indexOf("USAGE");
        assertThat(start).as("usage heredoc in %s", LAUNCHER).isNotNegative().isLessThan(end);
        return script.subList(start + 1, end);
    }
}
