package io.meshca.samples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URL;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * This module's classpath holds every meshca jar (the samples, the server, the agent, common): the
 * only logback configuration among them must be common's, so that each program, which has common on
 * its classpath once, finds exactly one. (Here common may appear more than once, with the same file:
 * after {@code package}, the server's and the agent's jars list their own {@code lib/} copy of it in
 * their manifest's Class-Path.)
 */
class LogbackClasspathTest {

    @Test
    void everyLogbackConfiguration_isCommons() throws IOException {
        ClassLoader loader = LogbackClasspathTest.class.getClassLoader();

        List<URL> configs = Collections.list(loader.getResources("logback.xml"));

        assertThat(configs)
                .isNotEmpty()
                .allSatisfy(url -> assertThat(url.toString())
                        .containsAnyOf("/common/target/classes/logback.xml", "/meshca-common-"));
        assertThat(loader.getResource("logback-test.xml")).isNull();
    }
}
