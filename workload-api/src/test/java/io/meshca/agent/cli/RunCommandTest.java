package io.meshca.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.meshca.common.pki.Certificates;
import io.meshca.common.pki.Pem;
import io.meshca.common.spiffe.TrustDomain;
import io.meshca.common.testing.TestPki;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/** {@code agent run}'s flags and its one-line errors; a running agent is covered by NodeAgentEndToEndTest. */
class RunCommandTest {

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine commandLine = AgentMain.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        return commandLine.execute(args);
    }

    @Test
    void unknownFlag_exits2_namingIt() {
        assertThat(run("run", "-joinTokn", "x")).isEqualTo(2);
        assertThat(err.toString()).contains("-joinTokn").doesNotContain("\tat ");
    }

    @Test
    void noTokenAndNothingStored_exits1_withOneLineSayingWhatIsNeeded() {
        int code = run(
                "run",
                "-dataDir",
                dir.resolve("data").toString(),
                "-serverPort",
                "1",
                "-socketPath",
                dir.resolve("api.sock").toString());

        assertThat(code).isEqualTo(1);
        assertThat(err.toString().strip())
                .startsWith("error: no agent SVID is stored in")
                .contains("-joinToken")
                .doesNotContain("\n");
        assertThat(dir.resolve("api.sock")).doesNotExist();
    }

    @Test
    void sdsFlags_areAccepted_andAnInvalidNameExits1_namingTheFlag() {
        String data = dir.resolve("data").toString();
        String socket = dir.resolve("api.sock").toString();

        // valid SDS flags: the run gets as far as needing a join token
        assertThat(run(
                        "run",
                        "-dataDir",
                        data,
                        "-serverPort",
                        "1",
                        "-socketPath",
                        socket,
                        "-sdsDefaultSvidName",
                        "svid",
                        "-sdsDefaultBundleName",
                        "root",
                        "-sdsDefaultAllBundlesName",
                        "all",
                        "-sdsDisableSpiffeCertValidation"))
                .isEqualTo(1);
        assertThat(err.toString()).contains("no agent SVID is stored");

        err.getBuffer().setLength(0);
        assertThat(run(
                        "run",
                        "-dataDir",
                        data,
                        "-socketPath",
                        socket,
                        "-sdsDisableSpiffeCertValidation=false",
                        "-sdsDefaultBundleName",
                        "spiffe://example.org"))
                .isEqualTo(1);
        assertThat(err.toString()).contains("sdsDefaultBundleName").doesNotContain("\tat ");
    }

    @Test
    void unknownConfigKey_exits1_namingKeyAndFile() throws Exception {
        Path config = dir.resolve("agent.yaml");
        Files.writeString(config, "trustDomian: example.org\n");

        assertThat(run("run", "-config", config.toString())).isEqualTo(1);
        assertThat(err.toString()).contains("trustDomian").contains(config.toString());
    }

    @Test
    void unreachableServer_exits1_sayingSo_withoutTheToken() throws Exception {
        Path bundle = dir.resolve("bundle.pem");
        Files.writeString(
                bundle,
                Pem.encodeCertificates(
                        List.of(TestPki.root(TrustDomain.parse("example.org")).certificate())));

        int code = run(
                "run",
                "-dataDir",
                dir.resolve("data").toString(),
                "-serverPort",
                "1",
                "-trustBundle",
                bundle.toString(),
                "-joinToken",
                "secret-token-value",
                "-socketPath",
                dir.resolve("api.sock").toString());

        assertThat(code).isEqualTo(1);
        assertThat(err.toString().strip())
                .isEqualTo("error: node attestation failed: ca-server 127.0.0.1:1 unavailable (connection refused)");
    }

    @Test
    void joinTokenFlag_warnsThatTheProcessListShowsIt_namingJoinTokenFile_neverTheToken() {
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        Logger root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
        root.addAppender(logs);
        try {
            run(
                    "run",
                    "-dataDir",
                    dir.resolve("data").toString(),
                    "-serverPort",
                    "1",
                    "-joinToken",
                    "secret-token-value",
                    "-socketPath",
                    dir.resolve("api.sock").toString());
        } finally {
            root.detachAppender(logs);
        }

        assertThat(logs.list)
                .filteredOn(e -> e.getLevel() == Level.WARN)
                .extracting(ILoggingEvent::getFormattedMessage)
                .anySatisfy(m -> assertThat(m).contains("process list").contains("-joinTokenFile"));
        assertThat(logs.list)
                .extracting(ILoggingEvent::getFormattedMessage)
                .noneSatisfy(m -> assertThat(m).contains("secret-token-value"));
        assertThat(err.toString()).doesNotContain("secret-token-value");
    }

    @Test
    void joinTokenFile_isUsedAsTheToken_withoutAWarning() throws Exception {
        Path token = Files.writeString(dir.resolve("token"), "secret-token-value\n");
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        Logger root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
        root.addAppender(logs);
        int code;
        try {
            code = run(
                    "run",
                    "-dataDir",
                    dir.resolve("data").toString(),
                    "-serverPort",
                    "1",
                    "-joinTokenFile",
                    token.toString(),
                    "-socketPath",
                    dir.resolve("api.sock").toString());
        } finally {
            root.detachAppender(logs);
        }

        // a token is there, so the run gets as far as needing the trust bundle to attest with it
        assertThat(code).isEqualTo(1);
        assertThat(err.toString().strip())
                .isEqualTo("error: " + "a join token needs -trustBundle (the server's CA"
                        + " certificates, PEM) to verify the server");
        assertThat(logs.list)
                .noneSatisfy(e -> assertThat(e.getFormattedMessage()).contains("process list"));
    }

    @Test
    void emptyJoinTokenFile_exits1_withOneLine() throws Exception {
        Path token = Files.writeString(dir.resolve("token"), "\n");

        assertThat(run(
                        "run",
                        "-joinTokenFile",
                        token.toString(),
                        "-dataDir",
                        dir.resolve("data").toString()))
                .isEqualTo(1);
        assertThat(err.toString().strip())
                .startsWith("error: join token file " + token + " is empty")
                .doesNotContain("\n");
        assertThat(dir.resolve("data")).doesNotExist();
    }

    @Test
    void rebootstrapWithoutAToken_exits1_withOneLine() {
        assertThat(run("run", "-rebootstrap", "-dataDir", dir.resolve("data").toString()))
                .isEqualTo(1);
        assertThat(err.toString().strip())
                .startsWith("error: -rebootstrap attests again and needs a join token")
                .doesNotContain("\n");
    }

    @Test
    void binaryTrustBundle_exits1_sayingItIsNotAPemFile() throws Exception {
        Path der = Files.write(
                dir.resolve("bundle.der"),
                Certificates.der(TestPki.root(TrustDomain.parse("example.org")).certificate()));

        int code = run(
                "run",
                "-dataDir",
                dir.resolve("data").toString(),
                "-serverPort",
                "1",
                "-trustBundle",
                der.toString(),
                "-joinToken",
                "t",
                "-socketPath",
                dir.resolve("api.sock").toString());

        assertThat(code).isEqualTo(1);
        assertThat(err.toString().strip())
                .startsWith("error: trust bundle " + der + " is not a PEM file")
                .doesNotContain("Input length");
    }

    @Test
    void uncreatableDataDir_exits1_withOneLineNamingTheDirAndTheCause() throws Exception {
        Files.writeString(dir.resolve("file"), "x");
        Path data = dir.resolve("file/data");

        int code = run(
                "run",
                "-dataDir",
                data.toString(),
                "-joinToken",
                "t",
                "-socketPath",
                dir.resolve("api.sock").toString());

        assertThat(code).isEqualTo(1);
        assertThat(err.toString().strip())
                .startsWith("error: cannot create data dir " + data + ": ")
                .doesNotContain("\n");
    }
}
