package io.meshca.agent.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshca.common.error.InvalidArgumentException;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ServerAddressTest {

    private static final int DEFAULT_PORT = 8081;

    static Stream<Arguments> validLists() {
        return Stream.of(
                Arguments.of("127.0.0.1", List.of(new ServerAddress("127.0.0.1", 8081))),
                Arguments.of("ca.internal", List.of(new ServerAddress("ca.internal", 8081))),
                Arguments.of("ca.internal:9443", List.of(new ServerAddress("ca.internal", 9443))),
                Arguments.of(
                        "ca-1.internal, ca-2.internal:9000 ,10.0.0.3",
                        List.of(
                                new ServerAddress("ca-1.internal", 8081),
                                new ServerAddress("ca-2.internal", 9000),
                                new ServerAddress("10.0.0.3", 8081))),
                Arguments.of("::1", List.of(new ServerAddress("::1", 8081))),
                Arguments.of("[::1]", List.of(new ServerAddress("::1", 8081))),
                Arguments.of(
                        "[fd00::1]:9000,[fd00::2]",
                        List.of(new ServerAddress("fd00::1", 9000), new ServerAddress("fd00::2", 8081))));
    }

    @ParameterizedTest
    @MethodSource("validLists")
    void validList_isParsedInOrder_withTheDefaultPortWhereNoneIsGiven(String list, List<ServerAddress> expected) {
        assertThat(ServerAddress.parseList(list, DEFAULT_PORT)).isEqualTo(expected);
    }

    static Stream<Arguments> invalidLists() {
        return Stream.of(
                Arguments.of("", "serverAddress is empty: give host or host:port, comma-separated"),
                Arguments.of("  ", "serverAddress is empty: give host or host:port, comma-separated"),
                Arguments.of(
                        "a,,b",
                        "serverAddress \"a,,b\": entry 2 is empty: separate host or host:port entries with single commas"),
                Arguments.of(
                        "a,",
                        "serverAddress \"a,\": entry 2 is empty: separate host or host:port entries with single commas"),
                Arguments.of(
                        "a, b:http",
                        "serverAddress entry \"b:http\" is invalid: port \"http\" is not a TCP port (0-65535)"),
                Arguments.of(
                        "b:70000",
                        "serverAddress entry \"b:70000\" is invalid: port \"70000\" is not a TCP port (0-65535)"),
                Arguments.of(
                        "b:-1", "serverAddress entry \"b:-1\" is invalid: port \"-1\" is not a TCP port (0-65535)"),
                Arguments.of(
                        "b:+80", "serverAddress entry \"b:+80\" is invalid: port \"+80\" is not a TCP port (0-65535)"),
                Arguments.of("b:", "serverAddress entry \"b:\" is invalid: port \"\" is not a TCP port (0-65535)"),
                Arguments.of(":8081", "serverAddress entry \":8081\" is invalid: the host is empty"),
                Arguments.of(
                        "[::1",
                        "serverAddress entry \"[::1\" is invalid: write an IPv6 address as [address] or [address]:port"),
                Arguments.of(
                        "[::1]8081",
                        "serverAddress entry \"[::1]8081\" is invalid: write an IPv6 address as [address] or [address]:port"));
    }

    @ParameterizedTest
    @MethodSource("invalidLists")
    void invalidList_isRejected_namingTheBadEntry(String list, String message) {
        assertThatThrownBy(() -> ServerAddress.parseList(list, DEFAULT_PORT))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessage(message);
    }

    @Test
    void toString_isATarget_withIpv6InBrackets() {
        assertThat(new ServerAddress("ca.internal", 8081)).hasToString("ca.internal:8081");
        assertThat(new ServerAddress("fd00::1", 8081)).hasToString("[fd00::1]:8081");
    }
}
