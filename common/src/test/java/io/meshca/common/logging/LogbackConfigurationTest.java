package io.meshca.common.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.jul.LevelChangePropagator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.joran.spi.JoranException;
import java.net.URL;
import java.util.logging.LogManager;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;

/** The one logback.xml, read into a context of its own (the test's logging stays as it is). */
class LogbackConfigurationTest {

    private static final URL CONFIG = LogbackConfigurationTest.class.getResource("/logback.xml");

    @Test
    void rootLevel_isInfo_unlessMeshcaLogLevelSaysOtherwise() throws JoranException {
        assertThat(configure(null).getLogger(Logger.ROOT_LOGGER_NAME).getLevel())
                .isEqualTo(Level.INFO);
        assertThat(configure("DEBUG").getLogger(Logger.ROOT_LOGGER_NAME).getLevel())
                .isEqualTo(Level.DEBUG);
    }

    @Test
    void grpcAndNettyAreQuiet() throws JoranException {
        LoggerContext context = configure(null);

        assertThat(context.getLogger("io.grpc").getLevel()).isEqualTo(Level.WARN);
        assertThat(context.getLogger("io.netty").getLevel()).isEqualTo(Level.WARN);
        assertThat(context.getLogger("io.netty.bootstrap").getLevel()).isEqualTo(Level.ERROR);
    }

    @Test
    void javaUtilLoggingLevels_followLogback() throws JoranException {
        LoggerContext context = configure(null);

        assertThat(context.getCopyOfListenerList()).hasAtLeastOneElementOfType(LevelChangePropagator.class);
        assertThat(LogManager.getLogManager().getLogger("io.grpc").getLevel()).hasToString("WARNING");
    }

    @Test
    void logsGoToStandardError_withTheSharedPattern() throws JoranException {
        var appender = (ConsoleAppender<ILoggingEvent>)
                configure(null).getLogger(Logger.ROOT_LOGGER_NAME).getAppender("STDERR");

        assertThat(appender.getTarget()).isEqualTo("System.err");
        assertThat(((PatternLayoutEncoder) appender.getEncoder()).getPattern())
                .isEqualTo("%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level [%thread] %logger{24} - %msg%n");
    }

    private static LoggerContext configure(String meshcaLogLevel) throws JoranException {
        LoggerContext context = new LoggerContext();
        if (meshcaLogLevel != null) {
            // looked up before system properties and the environment, as MESHCA_LOG_LEVEL would be
            context.putProperty("MESHCA_LOG_LEVEL", meshcaLogLevel);
        }
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        configurator.doConfigure(CONFIG);
        return context;
    }
}
