package io.meshca.samples.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshca.common.config.Durations;
import io.meshca.samples.SamplesMain;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class DemoCommandTest {

    @Test
    void defaults_are90sOfTrafficWith20sSvids() {
        DemoOptions options = parse().options(Map.of());

        assertThat(options.duration()).isEqualTo(Duration.ofSeconds(90));
        assertThat(options.x509SvidTtl()).isEqualTo(Duration.ofSeconds(20));
        assertThat(options.rate()).isEqualTo(DemoOptions.DEFAULT_RATE);
        assertThat(options.home()).isEqualTo(Path.of("").toAbsolutePath());
    }

    @Test
    void durationTtlRateAndHome_areTakenFromFlags() {
        DemoOptions options = parse("-duration", "2m", "-x509SVIDTTL", "30s", "-rate", "5", "-home", "/opt/meshca")
                .options(Map.of(DemoCommand.HOME_ENV, "/elsewhere"));

        assertThat(options.duration()).isEqualTo(Duration.ofMinutes(2));
        assertThat(options.x509SvidTtl()).isEqualTo(Duration.ofSeconds(30));
        assertThat(options.rate()).isEqualTo(5);
        assertThat(options.home()).isEqualTo(Path.of("/opt/meshca"));
    }

    @Test
    void homeComesFromTheLauncher_whenNoFlag() {
        assertThat(parse().options(Map.of(DemoCommand.HOME_ENV, "/opt/meshca")).home())
                .isEqualTo(Path.of("/opt/meshca"));
    }

    @Test
    void aBadDuration_isOneClearLineAndExitCode2() {
        StringWriter err = new StringWriter();
        CommandLine cli = SamplesMain.commandLine().setErr(new PrintWriter(err));

        int code = cli.execute("demo", "-duration", "ninety");

        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("invalid duration 'ninety' (" + Durations.HINT + ")");
    }

    @Test
    void anUnknownFlag_isRejected() {
        StringWriter err = new StringWriter();
        int code = SamplesMain.commandLine().setErr(new PrintWriter(err)).execute("demo", "-durationn", "5s");

        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("Unknown option").contains("'-durationn'");
    }

    @Test
    void aTtlUnder10s_isOneClearLineAndExitCode1() {
        StringWriter err = new StringWriter();
        int code = SamplesMain.commandLine().setErr(new PrintWriter(err)).execute("demo", "-x509SVIDTTL", "5s");

        assertThat(code).isEqualTo(1);
        assertThat(err.toString())
                .isEqualTo(
                        "demo: -x509SVIDTTL must be whole seconds, at least 10s, got 5000ms" + System.lineSeparator());
    }

    private static DemoCommand parse(String... args) {
        DemoCommand command = new DemoCommand();
        new CommandLine(command).parseArgs(args);
        return command;
    }
}
