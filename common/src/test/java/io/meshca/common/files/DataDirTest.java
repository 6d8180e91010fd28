package io.meshca.common.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.meshca.common.error.FailedPreconditionException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataDirTest {

    @TempDir
    Path tmp;

    private static String mode(Path path) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }

    @Test
    void missingDir_isCreatedOwnerOnly_withAnOwnerOnlyLockFile() throws IOException {
        Path dir = tmp.resolve("a/b/data");

        try (DataDir dataDir = DataDir.open(dir, "server", "-dataDir")) {
            assertThat(dataDir.path()).isEqualTo(dir);
            assertThat(mode(dir)).isEqualTo("rwx------");
            assertThat(mode(dir.resolve(DataDirLock.FILE))).isEqualTo("rw-------");
            assertThat(Files.readString(dir.resolve(DataDirLock.FILE)))
                    .isEqualTo(ProcessHandle.current().pid() + " server\n");
        }
    }

    @Test
    void ownerOnlyFile_isCreated0600_andAnExistingOneIsNarrowed() throws IOException {
        try (DataDir dataDir = DataDir.open(tmp.resolve("data"), "server", "-dataDir")) {
            Path fresh = dataDir.ownerOnlyFile("db");
            Path old = Files.writeString(dataDir.path().resolve("old"), "kept");
            Files.setPosixFilePermissions(old, PosixFilePermissions.fromString("rw-r--r--"));

            dataDir.ownerOnlyFile("old");

            assertThat(mode(fresh)).isEqualTo("rw-------");
            assertThat(mode(old)).isEqualTo("rw-------");
            assertThat(old).hasContent("kept");
        }
    }

    @Test
    void dirOpenToOthers_isRefused_withTheChmodThatFixesIt() throws IOException {
        Path dir = Files.createDirectory(tmp.resolve("data"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));

        assertThatThrownBy(() -> DataDir.open(dir, "agent", "-dataDir"))
                .isInstanceOf(FailedPreconditionException.class)
                .hasMessage("data dir " + dir + " is open to other users (rwxr-xr-x) and holds private keys:"
                        + " run chmod 700 " + dir);
        assertThat(dir.resolve(DataDirLock.FILE)).doesNotExist();
    }

    @Test
    void groupExecuteOnly_isAccepted() throws IOException {
        Path dir = Files.createDirectory(tmp.resolve("data"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));

        DataDir.open(dir, "agent", "-dataDir").close();
    }

    @Test
    void uncreatableDir_isOneLineNamingTheDirAndTheCause() throws IOException {
        Path file = Files.writeString(tmp.resolve("file"), "x");
        Path dir = file.resolve("data");

        assertThatThrownBy(() -> DataDir.open(dir, "server", "-dataDir"))
                .isInstanceOf(FailedPreconditionException.class)
                .hasMessageStartingWith("cannot create data dir " + dir + ": ")
                .hasMessageNotContaining("\n");
    }

    @Test
    void aFileWhereTheDirShouldBe_isRefused() throws IOException {
        Path file = Files.writeString(tmp.resolve("data"), "x");

        assertThatThrownBy(() -> DataDir.open(file, "server", "-dataDir"))
                .hasMessage("data dir " + file + " exists and is not a directory");
    }

    @Test
    void unwritableDir_isOneLineNamingTheDir() throws IOException {
        assumeFalse("root".equals(System.getProperty("user.name")), "root writes into a read-only dir");
        Path dir = Files.createDirectory(tmp.resolve("data"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("r-x------"));

        assertThatThrownBy(() -> DataDir.open(dir, "server", "-dataDir"))
                .hasMessage("cannot write to data dir " + dir + ": permission denied");
    }

    @Test
    void secondOpenInThisProcess_isRefusedNamingThisProcess_andTheFirstKeepsItsLock() throws IOException {
        Path dir = tmp.resolve("data");
        try (DataDir first = DataDir.open(dir, "server", "-dataDir")) {
            assertThatThrownBy(() -> DataDir.open(dir, "server", "-dataDir"))
                    .isInstanceOf(FailedPreconditionException.class)
                    .hasMessage("data dir " + dir + " is in use by meshca server pid "
                            + ProcessHandle.current().pid() + " (this process); stop it or use another -dataDir");
            // the refused open did not release the first one's lock
            assertThatThrownBy(() -> DataDir.open(dir.resolve("."), "agent", "-dataDir"))
                    .hasMessageContaining("is in use by meshca server pid");
        }
        DataDir.open(dir, "agent", "-dataDir").close();
    }

    @Test
    void dirHeldByAnotherProcess_isRefusedNamingItsPid_untilThatProcessIsKilled() throws Exception {
        Path dir = tmp.resolve("data");
        Process holder = startHolder(dir);
        try {
            assertThatThrownBy(() -> DataDir.open(dir, "server", "-dataDir"))
                    .isInstanceOf(FailedPreconditionException.class)
                    .hasMessage("data dir " + dir + " is in use by meshca test pid " + holder.pid()
                            + "; stop it or use another -dataDir");
        } finally {
            holder.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }

        // the killed holder's lock file is still there, naming it, yet does not block
        assertThat(dir.resolve(DataDirLock.FILE)).hasContent(holder.pid() + " test");
        DataDir.open(dir, "server", "-dataDir").close();
    }

    private static Process startHolder(Path dir) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(
                        java,
                        "-cp",
                        System.getProperty("java.class.path"),
                        DataDirHolder.class.getName(),
                        dir.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        BufferedReader out =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine();
        if (line == null || !line.startsWith("locked ")) {
            process.destroyForcibly();
            throw new IllegalStateException("the holder process did not lock " + dir + ": " + line);
        }
        return process;
    }

    @Test
    void listingAfterUse_showsOnlyOwnerOnlyEntries() throws IOException {
        Path dir = tmp.resolve("data");
        try (DataDir dataDir = DataDir.open(dir, "server", "-dataDir")) {
            dataDir.ownerOnlyFile("x");
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.toList()).allSatisfy(f -> assertThat(mode(f)).isEqualTo("rw-------"));
        }
    }
}
