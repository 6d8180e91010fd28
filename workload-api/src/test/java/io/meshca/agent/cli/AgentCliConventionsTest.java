package io.meshca.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshca.common.testing.CliHelpContract;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import picocli.CommandLine;

/** Help, version and typo handling of {@code meshca agent}, on every command of its tree. */
class AgentCliConventionsTest {

    private static CliHelpContract.Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = AgentMain.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        return new CliHelpContract.Run(code, out.toString(), err.toString());
    }

    @TestFactory
    Stream<DynamicTest> everyCommandAnswersHelp_withEveryOptionItsDefaultsAndAnExample() {
        return CliHelpContract.helpTests(AgentMain.commandLine(), AgentCliConventionsTest::run);
    }

    @Test
    void helpCommand_reachesNestedCommands() {
        CliHelpContract.Run help = run("help", "api", "fetch", "x509");
        assertThat(help.exitCode()).isZero();
        assertThat(help.out()).startsWith("Usage: meshca agent api fetch x509").contains("-write");
    }

    @Test
    void version_flagsAndCommand_printTheProjectVersion() {
        for (String[] args : new String[][] {{"-version"}, {"--version"}, {"version"}}) {
            CliHelpContract.Run v = run(args);
            assertThat(v.exitCode()).as(String.join(" ", args)).isZero();
            assertThat(v.out()).as(String.join(" ", args)).matches("meshca \\d+\\.\\d+\\.\\d+\\S*\n");
        }
    }

    @Test
    void unknownFlag_namesTheNearestKnownOne() {
        CliHelpContract.Run r = run("api", "fetch", "x509", "-socketpath", "/tmp/x.sock");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("error: Unknown option: -socketpath (did you mean -socketPath?)\n");
    }
}
