package io.meshca.agent.endpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshca.common.error.InvalidArgumentException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SocketAccessTest {

    @TempDir
    Path dir;

    @Test
    void theSocket_getsTheModeAndGroupConfigured_notTheUmasks() throws Exception {
        Path socket = dir.resolve("api.sock");
        GroupPrincipal own = Files.readAttributes(dir, java.nio.file.attribute.PosixFileAttributes.class)
                .group();

        try (UnixSocketServer server =
                UnixSocketServer.start(socket, SocketAccess.parse("0660", own.getName()), List.of())) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)))
                    .isEqualTo("rw-rw----");
            assertThat(Files.getAttribute(socket, "posix:group")).isEqualTo(own);
        }
    }

    @Test
    void theDefault_letsEveryLocalUserConnect() throws Exception {
        Path socket = dir.resolve("api.sock");

        try (UnixSocketServer server = UnixSocketServer.start(socket, List.of())) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)))
                    .isEqualTo("rwxrwxrwx");
        }
    }

    @Test
    void aNumericGid_isAGroup() {
        assertThat(SocketAccess.parse("770", "0").group()).contains("0");
    }

    static Stream<Arguments> badSettings() {
        return Stream.of(
                Arguments.of("rw-rw----", null, "socketMode \"rw-rw----\" " + SocketAccess.BAD_MODE),
                Arguments.of("4770", null, "socketMode \"4770\" " + SocketAccess.BAD_MODE),
                Arguments.of("0778", null, "socketMode \"0778\" " + SocketAccess.BAD_MODE),
                Arguments.of("0555", null, "socketMode 0555 " + SocketAccess.NO_WRITE),
                Arguments.of(
                        "0770",
                        "no-such-group-meshca",
                        "socketGroup \"no-such-group-meshca\" " + SocketAccess.NO_SUCH_GROUP),
                Arguments.of("0770", " ", "socketGroup must not be empty"));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("badSettings")
    void badSettings_areRefusedNamingTheSetting(String mode, String group, String message) {
        assertThatThrownBy(() -> SocketAccess.parse(mode, group))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessage(message);
    }
}
