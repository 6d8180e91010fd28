package io.meshca.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshca.server.ca.jwt.JwtKeyType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JwtConfigTest {

    @TempDir
    Path dir;

    @Test
    void defaults_areEs256AndFiveMinutes() {
        ServerConfig c = ServerConfig.builder().build();

        assertThat(c.jwtKeyType()).isEqualTo(JwtKeyType.ES256);
        assertThat(c.defaultJwtSvidTtl()).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void configFile_setsTheKeyTypeAndTheDefaultTtl() throws Exception {
        Path file = Files.writeString(dir.resolve("server.yaml"), "jwtKeyType: RS256\ndefaultJwtSvidTtl: 90s\n");

        ServerConfig c = ServerConfigLoader.apply(file, ServerConfig.builder()).build();

        assertThat(c.jwtKeyType()).isEqualTo(JwtKeyType.RS256);
        assertThat(c.defaultJwtSvidTtl()).isEqualTo(Duration.ofSeconds(90));
    }

    @Test
    void anotherKeyType_isRefusedNamingIt() throws Exception {
        Path file = Files.writeString(dir.resolve("server.yaml"), "jwtKeyType: HS256\n");

        assertThatThrownBy(() ->
                        ServerConfigLoader.apply(file, ServerConfig.builder()).build())
                .isInstanceOf(ConfigException.class)
                .hasMessage("jwtKeyType must be \"ES256\" or \"RS256\", got \"HS256\"");
    }
}
