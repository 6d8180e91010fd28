package io.meshca.samples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URL;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * This module's classpath holds every meshca jar (the samples, the server, the agent, common), so if
 * any of them carried a logback configuration of its own, logback would find several here, warn, and
 * pick one by classpath order.
 */
class LogbackClasspathTest {

    @Test
    void theOnlyLogbackConfiguration_isCommons() throws IOException {
        ClassLoader loader = LogbackClasspathTest.class.getClassLoader();

        List<URL> configs = Collections.list(loader.getResources("logback.xml"));

        assertThat(configs).hasSize(1);
        assertThat(configs.get(0).toString()).containsAnyOf("/common/target/classes/", "/meshca-common-");
        assertThat(loader.getResource("logback-test.xml")).isNull();
    }
}
