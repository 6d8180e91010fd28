package io.meshca.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshca.common.testing.CliHelpContract;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** Help, version and typo handling of {@code meshca server}, on every command of its tree. */
class ServerCliConventionsTest {

    private static CliHelpContract.Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = ServerMain.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new CliHelpContract.Run(code, out.toString(), err.toString());
    }

    @TestFactory
    Stream<DynamicTest> everyCommandAnswersHelp_withEveryOptionItsDefaultsAndAnExample() {
        StringWriter sink = new StringWriter();
        return CliHelpContract.helpTests(
                ServerMain.commandLine(new PrintWriter(sink), new PrintWriter(sink)), ServerCliConventionsTest::run);
    }

    @Test
    void helpCommand_reachesNestedCommands() {
        CliHelpContract.Run help = run("help", "entry", "create");
        assertThat(help.exitCode()).isZero();
        assertThat(help.out()).startsWith("Usage: meshca server entry create").contains("-parentID");
        assertThat(run("help", "localauthority", "x509", "taint").out())
                .startsWith("Usage: meshca server localauthority x509 taint");
    }

    @Test
    void helpCommand_unknownCommand_isOneLineWithTheNearestName() {
        CliHelpContract.Run help = run("help", "entry", "craete");
        assertThat(help.exitCode()).isEqualTo(2);
        assertThat(help.err()).isEqualTo("Unknown command: craete (did you mean create?)\n");
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
        CliHelpContract.Run r = run("entry", "show", "-spifeID", "spiffe://example.org/x");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("Unknown option: -spifeID (did you mean -spiffeID?)\n");
    }

    @Test
    void unknownFlag_isReportedBeforeMissingRequiredOnes() {
        CliHelpContract.Run r = run("entry", "create", "-spifeID", "spiffe://example.org/x");
        assertThat(r.err()).isEqualTo("Unknown option: -spifeID (did you mean -spiffeID?)\n");
    }

    @Test
    void unknownFlag_farFromEveryName_suggestsNothing() {
        assertThat(run("entry", "show", "-bogusFlag").err()).isEqualTo("Unknown option: -bogusFlag\n");
    }

    @Test
    void unknownCommand_namesTheNearestOne() {
        CliHelpContract.Run r = run("entyr", "show");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("Unknown command: entyr (did you mean entry?)\n");
    }
}
