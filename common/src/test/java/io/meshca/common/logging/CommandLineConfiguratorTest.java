package io.meshca.common.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator.ExecutionStatus;
import ch.qos.logback.classic.spi.LoggingEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CommandLineConfiguratorTest {

    @AfterEach
    void unselect() {
        System.clearProperty(CommandLineLogging.PROPERTY);
    }

    @Test
    void notSelected_stepsAsideForLogbackXml() {
        LoggerContext context = new LoggerContext();

        ExecutionStatus status = new CommandLineConfigurator().configure(context);

        assertThat(status).isEqualTo(ExecutionStatus.INVOKE_NEXT_IF_ANY);
        assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).iteratorForAppenders())
                .isExhausted();
    }

    @Test
    void selected_logsWarningsToStderrAndStopsTheChain() {
        CommandLineLogging.select();
        LoggerContext context = new LoggerContext();

        ExecutionStatus status = new CommandLineConfigurator().configure(context);

        assertThat(status).isEqualTo(ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY);
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        assertThat(root.getLevel()).isEqualTo(Level.WARN);
        assertThat(root.getAppender("STDERR")).isNotNull();
        assertThat(context.getLogger("io.netty.bootstrap").getLevel()).isEqualTo(Level.ERROR);
    }

    @Test
    void plainLine_hasLevelLoggerMessageAndCause() {
        LoggerContext context = new LoggerContext();
        Logger logger = context.getLogger("io.meshca.test");
        LoggingEvent event = new LoggingEvent(
                "fqcn", logger, Level.WARN, "cannot reach {}", new IllegalStateException("refused"), new Object[] {
                    "/tmp/api.sock"
                });

        String line = new CommandLineConfigurator.PlainLineLayout().doLayout(event);

        assertThat(line)
                .startsWith("WARN io.meshca.test - cannot reach /tmp/api.sock" + System.lineSeparator())
                .contains("java.lang.IllegalStateException: refused");
    }
}
