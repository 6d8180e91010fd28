package io.meshca.agent.retry;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.meshca.common.error.UnavailableException;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;

/** One WARN line per retry with the reason and the wait; the stack trace only at DEBUG. */
class RetryLogTest {

    private final Logger log = (Logger) LoggerFactory.getLogger("retry-log-test");
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();

    @BeforeEach
    void capture() {
        logs.start();
        log.addAppender(logs);
    }

    @AfterEach
    void release() {
        log.detachAppender(logs);
        log.setLevel(null);
    }

    @Test
    void retry_isOneWarnLine_withReasonContextAndWait_andNoStackTrace() {
        log.setLevel(Level.INFO);
        var error = new UnavailableException(
                "agent SVID renewal failed: ca-server 127.0.0.1:8081 unavailable (connection refused)");

        RetryLog.retrying(log, error, "keeping serial 3f", Duration.ofSeconds(2));

        assertThat(logs.list).singleElement().satisfies(event -> {
            assertThat(event.getLevel()).isEqualTo(Level.WARN);
            assertThat(event.getFormattedMessage())
                    .isEqualTo("agent SVID renewal failed: ca-server 127.0.0.1:8081 unavailable (connection refused);"
                            + " keeping serial 3f; retrying in 2s");
            assertThat(event.getThrowableProxy()).isNull();
        });
    }

    @Test
    void atDebug_theStackTraceFollows() {
        log.setLevel(Level.DEBUG);

        RetryLog.retrying(log, new UnavailableException("down"), "", Duration.ofMillis(1500));

        assertThat(logs.list)
                .satisfiesExactly(
                        warn -> assertThat(warn.getFormattedMessage()).isEqualTo("down; retrying in 1.5s"), debug -> {
                            assertThat(debug.getLevel()).isEqualTo(Level.DEBUG);
                            assertThat(debug.getThrowableProxy()).isNotNull();
                        });
    }

    static Stream<Arguments> waits() {
        return Stream.of(
                Arguments.of(Duration.ofMillis(250), "250ms"),
                Arguments.of(Duration.ofMillis(999), "999ms"),
                Arguments.of(Duration.ofMillis(1000), "1s"),
                Arguments.of(Duration.ofMillis(1734), "1.7s"),
                Arguments.of(Duration.ofMillis(3960), "4s"),
                Arguments.of(Duration.ofSeconds(60), "1m"),
                Arguments.of(Duration.ofSeconds(90), "1m30s"));
    }

    @ParameterizedTest
    @MethodSource("waits")
    void waits_readAsPeopleSayThem(Duration wait, String text) {
        assertThat(RetryLog.format(wait)).isEqualTo(text);
    }
}
