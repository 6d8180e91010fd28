package io.meshca.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshca.common.error.FailedPreconditionException;
import io.meshca.common.spiffe.Selector;
import io.meshca.common.spiffe.SelectorSet;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.server.cli.ServerMain;
import io.meshca.server.config.ServerConfig;
import io.meshca.server.testing.TestServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a server checks of its data dir before anything else, and the modes of what it writes there. */
class DataDirStartTest {

    @TempDir
    Path tmp;

    private static String mode(Path path) {
        try {
            return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void everythingTheServerWrites_isOwnerOnly_includingSqliteSideFiles() throws Exception {
        Path data = tmp.resolve("data");
        ServerConfig config =
                TestServer.config(tmp).keyManager(ServerConfig.KEY_MANAGER_DISK).build();
        try (TestServer server = TestServer.start(config)) {
            SpiffeId agent = server.trustDomain().withPath("/meshca/agent/x");
            server.createEntry(
                    server.trustDomain().withPath("/web"),
                    agent,
                    SelectorSet.of(Selector.parse("unix:uid:1")),
                    Duration.ZERO);

            List<Path> all;
            try (Stream<Path> walk = Files.walk(data)) {
                all = walk.toList();
            }
            assertThat(all)
                    .extracting(p -> data.relativize(p).toString())
                    .contains(
                            "datastore.sqlite3",
                            "datastore.sqlite3-wal",
                            "datastore.sqlite3-shm",
                            "meshca.lock",
                            "keys");
            assertThat(all)
                    .allSatisfy(p -> assertThat(mode(p))
                            .as(p.toString())
                            .isEqualTo(Files.isDirectory(p) ? "rwx------" : "rw-------"));
        }
    }

    @Test
    void sqliteFilesLeftOpenByAnOlderRun_areNarrowedTo0600() throws Exception {
        TestServer.start(tmp).close();
        Path db = tmp.resolve("data/datastore.sqlite3");
        Files.setPosixFilePermissions(db, PosixFilePermissions.fromString("rw-r--r--"));

        TestServer.start(tmp).close();

        assertThat(mode(db)).isEqualTo("rw-------");
    }

    @Test
    void dataDirOpenToOthers_isRefusedBeforeTheServerTouchesAnything_withTheFix() throws Exception {
        Path data = Files.createDirectory(tmp.resolve("data"));
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxr-x---"));

        assertThatThrownBy(() -> TestServer.start(tmp))
                .isInstanceOf(FailedPreconditionException.class)
                .hasMessageEndingWith("run chmod 700 " + data);
        try (Stream<Path> files = Files.list(data)) {
            assertThat(files).isEmpty();
        }
        assertThat(tmp.resolve("admin")).doesNotExist();
    }

    @Test
    void uncreatableDataDir_isOneLineNamingTheDir() throws Exception {
        Files.writeString(tmp.resolve("file"), "x");
        Path data = tmp.resolve("file/data");

        StringWriter err = new StringWriter();
        int code = ServerMain.execute(
                new String[] {
                    "run",
                    "-dataDir",
                    data.toString(),
                    "-serverPort",
                    "0",
                    "-socketPath",
                    tmp.resolve("a.sock").toString()
                },
                new PrintWriter(new StringWriter(), true),
                new PrintWriter(err, true));

        assertThat(code).isEqualTo(1);
        assertThat(err.toString().strip())
                .startsWith("cannot create data dir " + data + ": ")
                .doesNotContain("\n");
    }

    @Test
    void secondServerInThisProcess_isRefused_andTheFirstKeepsServing() throws Exception {
        try (TestServer first = TestServer.start(tmp)) {
            Path other = tmp.resolve("other");
            ServerConfig second =
                    TestServer.config(other).dataDir(tmp.resolve("data")).build();

            assertThatThrownBy(() -> TestServer.start(second))
                    .isInstanceOf(FailedPreconditionException.class)
                    .hasMessage("data dir " + tmp.resolve("data") + " is in use by meshca server pid "
                            + ProcessHandle.current().pid() + " (this process); stop it or use another -dataDir");
            assertThat(first.trustBundle()).isNotEmpty();
        }
    }

    @Test
    void secondServerProcess_onABusyDataDir_exitsWithOneLineNamingTheHolderPid() throws Exception {
        try (TestServer first = TestServer.start(tmp)) {
            Path data = tmp.resolve("data");
            String java =
                    Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process second = new ProcessBuilder(
                            java,
                            "-cp",
                            System.getProperty("java.class.path"),
                            ServerMain.class.getName(),
                            "run",
                            "-dataDir",
                            data.toString(),
                            "-serverPort",
                            "0",
                            "-socketPath",
                            tmp.resolve("second.sock").toString())
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            assertThat(second.waitFor(60, TimeUnit.SECONDS)).isTrue();
            String stderr = new String(second.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);

            assertThat(second.exitValue()).isEqualTo(1);
            assertThat(stderr)
                    .contains("data dir " + data + " is in use by meshca server pid "
                            + ProcessHandle.current().pid() + "; stop it or use another -dataDir");
            assertThat(tmp.resolve("second.sock")).doesNotExist();
            assertThat(first.trustBundle()).isNotEmpty();
        }
    }

    @Test
    void dataDirOfAStoppedServer_canBeUsedAgain() throws Exception {
        TestServer.start(tmp).close();
        TestServer.start(tmp).close();
    }
}
