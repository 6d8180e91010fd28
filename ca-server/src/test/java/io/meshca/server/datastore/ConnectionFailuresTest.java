package io.meshca.server.datastore;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.EOFException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ConnectionFailuresTest {

    static Stream<Arguments> failures() {
        return Stream.of(
                Arguments.of(
                        "PostgreSQL refusing: the pool's timeout wraps the driver's refusal",
                        new SQLTransientConnectionException(
                                "meshca-datastore - Connection is not available, request timed out after 3000ms",
                                "08001",
                                new SQLException(
                                        "Connection to 127.0.0.1:5432 refused",
                                        "08001",
                                        new ConnectException("Connection refused"))),
                        "connection refused"),
                Arguments.of(
                        "pg_terminate_backend",
                        new SQLException("FATAL: terminating connection due to administrator command", "57P01"),
                        "connection terminated by the database (administrator command or shutdown)"),
                Arguments.of(
                        "a database starting up",
                        new SQLException("FATAL: the database system is starting up", "57P03"),
                        "the database is starting up or shutting down"),
                Arguments.of(
                        "a connection dropped mid-call",
                        new SQLException(
                                "An I/O error occurred while sending to the backend.", "08006", new EOFException()),
                        "connection lost"),
                Arguments.of(
                        "a silent network (socket timeout)",
                        new SQLException(
                                "An I/O error occurred", "08006", new SocketTimeoutException("Read timed out")),
                        "no answer within the socket timeout"),
                Arguments.of(
                        "the pool's timeout with nothing more specific",
                        new SQLTransientConnectionException(
                                "Connection is not available, request timed out after 3000ms"),
                        "no connection within the pool's timeout"),
                Arguments.of(
                        "another connection exception",
                        new SQLException("The connection attempt failed.", "08004"),
                        "connection failure (SQLState 08004)"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("failures")
    void connectionFailures_areConnectionLoss_withAShortReason(String name, SQLException e, String reason) {
        assertThat(ConnectionFailures.isConnectionLoss(e)).isTrue();
        assertThat(ConnectionFailures.reason(e)).isEqualTo(reason);
    }

    static Stream<Arguments> statementFailures() {
        return Stream.of(
                Arguments.of("unique violation", new SQLException("duplicate key", "23505")),
                Arguments.of("syntax error", new SQLException("syntax error", "42601")),
                Arguments.of("serialization failure", new SQLException("could not serialize", "40001")),
                Arguments.of("SQLite busy (no SQLState)", new SQLException("[SQLITE_BUSY] database is locked")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("statementFailures")
    void statementFailures_areNotConnectionLoss(String name, SQLException e) {
        assertThat(ConnectionFailures.isConnectionLoss(e)).isFalse();
    }

    @Test
    void aBatchsChainedException_isLookedAt() {
        SQLException batch = new SQLException("Batch entry 0 INSERT ... was aborted", "08006");
        batch.setNextException(new SQLException("I/O error", "08006", new ConnectException("Connection refused")));

        assertThat(ConnectionFailures.reason(batch)).isEqualTo("connection refused");
    }
}
