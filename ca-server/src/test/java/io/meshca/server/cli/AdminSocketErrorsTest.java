package io.meshca.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The one line a failed admin call prints. A socket the caller may not open cannot be made as root
 * (root opens anything), so the kernel's answer is also tested as gRPC hands it over: UNAVAILABLE
 * caused by a "Permission denied" I/O error.
 */
class AdminSocketErrorsTest {

    @TempDir
    Path dir;

    @Test
    void kernelPermissionDenied_saysWhoMayUseTheSocket() throws Exception {
        Path socket = dir.resolve("api.sock");
        Files.createFile(socket);
        StatusRuntimeException error = Status.UNAVAILABLE
                .withDescription("io exception")
                .withCause(new IOException("connect(..) failed: Permission denied"))
                .asRuntimeException();

        assertThat(AdminSocketErrors.describe(socket, error))
                .isEqualTo(
                        "permission denied on the admin socket " + socket + ": run this as the server's user or root");
    }

    @Test
    void missingSocket_saysSoAndHowToStartTheServer() {
        Path socket = dir.resolve("private/api.sock");

        assertThat(AdminSocketErrors.describe(socket, Status.UNAVAILABLE.asRuntimeException()))
                .isEqualTo("the admin socket " + socket
                        + " does not exist (is the server running? start it with `meshca server run`)");
    }

    @Test
    void socketThatRefuses_isReportedWithGrpcsReason() throws Exception {
        Path socket = dir.resolve("api.sock");
        Files.createFile(socket);

        assertThat(AdminSocketErrors.describe(
                        socket,
                        Status.UNAVAILABLE.withDescription("io exception").asRuntimeException()))
                .isEqualTo(
                        "cannot reach the server's admin socket " + socket + ": io exception (is the server running?)");
    }

    @Test
    void socketInADirectoryTheCallerMayNotEnter_isPermissionDenied_whenNotRoot() throws Exception {
        Assumptions.assumeFalse(
                "root".equals(System.getProperty("user.name")), "root enters every directory: nothing to deny");
        Path privateDir = dir.resolve("private");
        Files.createDirectory(privateDir);
        Path socket = privateDir.resolve("api.sock");
        Files.createFile(socket);
        Files.setPosixFilePermissions(privateDir, PosixFilePermissions.fromString("---------"));
        try {
            assertThat(AdminSocketErrors.describe(socket, Status.UNAVAILABLE.asRuntimeException()))
                    .startsWith("permission denied on the admin socket " + socket);
        } finally {
            Files.setPosixFilePermissions(privateDir, PosixFilePermissions.fromString("rwx------"));
        }
    }

    @Test
    void theCli_printsTheMissingSocketAsOneLine() {
        StringWriter err = new StringWriter();
        Path socket = dir.resolve("none/api.sock");

        int code = ServerMain.execute(
                new String[] {"agent", "count", "-socketPath", socket.toString()},
                new PrintWriter(new StringWriter(), true),
                new PrintWriter(err, true));

        assertThat(code).isEqualTo(1);
        assertThat(err.toString()).isEqualTo(AdminSocketErrors.missing(socket.toString()) + "\n");
    }
}
