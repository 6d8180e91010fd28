package io.meshca.agent;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.meshca.agent.cli.AgentMain;
import io.meshca.agent.client.AuthorizedEntryWatcher;
import io.meshca.agent.config.AgentConfig;
import io.meshca.agent.testing.Poll;
import io.meshca.agent.testing.RunningAgent;
import io.meshca.common.pki.Pem;
import io.meshca.common.testing.TestPki;
import io.meshca.server.testing.TestServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/** What the agent says when the server cannot be used: the cause in one line, never the transport's internals. */
class ServerDiagnosticsEndToEndTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Pattern WATCH_RETRY = Pattern.compile(
            "watch of authorized entries broke: ca-server 127\\.0\\.0\\.1:(\\d+) unavailable \\(connection refused\\);"
                    + " serving the cached state, resuming from revision \\d+; retrying in \\d+(\\.\\d)?m?s");

    @TempDir
    Path dir;

    private TestServer server;
    private RunningAgent agent;
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();

    @AfterEach
    void stop() {
        ((Logger) LoggerFactory.getLogger(AuthorizedEntryWatcher.class)).detachAppender(logs);
        if (agent != null) {
            agent.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void trustBundleOfAnotherCa_isOneLineNamingTheFile() throws Exception {
        server = TestServer.start(dir.resolve("server"));
        Path otherBundle = dir.resolve("other-bundle.pem");
        Files.writeString(
                otherBundle,
                Pem.encodeCertificates(
                        List.of(TestPki.root(server.trustDomain()).certificate())));
        StringWriter err = new StringWriter();
        CommandLine agentCli = AgentMain.commandLine();
        agentCli.setOut(new PrintWriter(new StringWriter(), true));
        agentCli.setErr(new PrintWriter(err, true));

        int code = agentCli.execute(
                "run",
                "-trustDomain",
                server.trustDomain().name(),
                "-serverAddress",
                "127.0.0.1",
                "-serverPort",
                Integer.toString(server.agentApiPort()),
                "-trustBundle",
                otherBundle.toString(),
                "-joinToken",
                server.generateJoinToken(Duration.ofMinutes(10), Optional.empty()),
                "-dataDir",
                dir.resolve("agent").toString(),
                "-socketPath",
                dir.resolve("sock/api.sock").toString());

        assertThat(code).isEqualTo(1);
        assertThat(err.toString().strip())
                .startsWith("error: the server's certificate does not chain to -trustBundle " + otherBundle)
                .doesNotContain("\n")
                .doesNotContain("unavailable")
                .doesNotContainIgnoringCase("netty");
    }

    @Test
    void whileTheServerIsDown_eachRetryIsOneLine_namingServerCauseAndWait() throws Exception {
        server = TestServer.start(dir.resolve("server"));
        int port = server.agentApiPort();
        Path bundle = dir.resolve("bundle.pem");
        Files.writeString(bundle, server.trustBundlePem());
        agent = RunningAgent.start(AgentConfig.builder()
                .trustDomain(server.trustDomain().name())
                .serverAddress("127.0.0.1")
                .serverPort(port)
                .socketPath(dir.resolve("sock/api.sock"))
                .trustBundle(bundle)
                .dataDir(dir.resolve("agent"))
                .joinToken(server.generateJoinToken(Duration.ofMinutes(10), Optional.empty()))
                .build());
        assertThat(agent.awaitSynced(WAIT)).isTrue();
        Logger watcherLog = (Logger) LoggerFactory.getLogger(AuthorizedEntryWatcher.class);
        logs.start();
        watcherLog.addAppender(logs);

        server.close();
        server = null;

        ILoggingEvent retry = Poll.until(
                "a retry line saying connection refused",
                WAIT,
                () -> List.copyOf(logs.list).stream()
                        .filter(event ->
                                WATCH_RETRY.matcher(event.getFormattedMessage()).matches())
                        .findFirst()
                        .orElse(null));
        assertThat(retry.getLevel()).isEqualTo(Level.WARN);
        assertThat(retry.getFormattedMessage()).contains("127.0.0.1:" + port);
        assertThat(retry.getThrowableProxy()).as("the stack trace is for DEBUG").isNull();
    }
}
