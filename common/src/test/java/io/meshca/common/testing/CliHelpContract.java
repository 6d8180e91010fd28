package io.meshca.common.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshca.common.cli.CliConventions;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Help tests generated from a command tree (every command found through {@code getSubcommands},
 * recursively), so that a command added later is tested the day it is added: it answers {@code -h} and
 * {@code --help} with exit 0, its usage names every option it declares, every option with a default
 * says what the default is, and it shows an example starting with the command's own name.
 */
public final class CliHelpContract {

    /** What one run of the CLI printed. */
    public record Run(int exitCode, String out, String err) {}

    private CliHelpContract() {}

    /**
     * @param tree a fresh command line of the CLI (to walk)
     * @param cli runs the CLI with these arguments
     */
    public static Stream<DynamicTest> helpTests(CommandLine tree, Function<String[], Run> cli) {
        List<DynamicTest> tests = new ArrayList<>();
        for (CommandLine command : commands(tree)) {
            CommandSpec spec = command.getCommandSpec();
            List<String> path = path(command);
            for (String flag : List.of("-h", "--help")) {
                String name = spec.qualifiedName() + " " + flag;
                tests.add(DynamicTest.dynamicTest(name, () -> {
                    List<String> args = new ArrayList<>(path);
                    args.add(flag);
                    Run run = cli.apply(args.toArray(String[]::new));
                    assertThat(run.exitCode())
                            .as(name + " exit code (stderr: %s)", run.err())
                            .isZero();
                    assertUsage(spec, run.out());
                }));
            }
        }
        return tests.stream();
    }

    /** Every command of the tree, root first. */
    public static List<CommandLine> commands(CommandLine root) {
        List<CommandLine> all = new ArrayList<>();
        all.add(root);
        root.getSubcommands().values().forEach(sub -> all.addAll(commands(sub)));
        return all;
    }

    private static List<String> path(CommandLine command) {
        List<String> path = new ArrayList<>();
        for (CommandLine c = command; c.getParent() != null; c = c.getParent()) {
            path.add(0, c.getCommandName());
        }
        return path;
    }

    private static void assertUsage(CommandSpec spec, String usage) {
        String name = spec.qualifiedName();
        assertThat(usage).as("usage of " + name).startsWith("Usage: " + name);
        for (OptionSpec option : spec.options()) {
            for (String optionName : option.names()) {
                assertThat(usage).as("usage of %s names %s", name, optionName).contains(optionName);
            }
            if (hasDefault(option)) {
                assertThat(String.join(" ", option.description()).toLowerCase())
                        .as(
                                "%s %s has the default %s: its description must say so",
                                name,
                                option.longestName(),
                                option.defaultValue() == null ? option.initialValue() : option.defaultValue())
                        .contains("default");
            }
        }
        List<String> lines = usage.lines().toList();
        int heading = lines.indexOf(CliConventions.EXAMPLE_HEADING);
        assertThat(heading)
                .as("usage of %s has an %s section", name, CliConventions.EXAMPLE_HEADING)
                .isNotNegative();
        assertThat(lines.size())
                .as("usage of %s: a line under %s", name, CliConventions.EXAMPLE_HEADING)
                .isGreaterThan(heading + 1);
        assertThat(lines.get(heading + 1).strip())
                .as("the example of %s runs that command", name)
                .startsWith(name);
    }

    /** An option whose value, when not given, is something the reader needs to know. */
    private static boolean hasDefault(OptionSpec option) {
        if (option.usageHelp() || option.versionHelp()) {
            return false;
        }
        Object value = option.defaultValue() != null ? option.defaultValue() : option.initialValue();
        if (value == null || Boolean.FALSE.equals(value) || "".equals(value)) {
            return false;
        }
        if (value instanceof java.util.Collection<?> c && c.isEmpty()) {
            return false;
        }
        return !(value instanceof Number n && n.longValue() == 0);
    }
}
