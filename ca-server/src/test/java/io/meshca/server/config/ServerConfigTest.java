package io.meshca.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshca.common.config.Durations;
import io.meshca.common.error.InvalidArgumentException;
import io.meshca.common.spiffe.TrustDomain;
import io.meshca.server.audit.GroupCommitAuditLog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ServerConfigTest {

    @TempDir
    Path dir;

    @Test
    void defaults_areThoseOfTheDesign() {
        ServerConfig c = ServerConfig.builder().build();

        assertThat(c.trustDomain()).isEqualTo(TrustDomain.parse("example.org"));
        assertThat(c.serverPort()).isEqualTo(8081);
        assertThat(c.socketPath()).isEqualTo(Path.of("/tmp/meshca-server/private/api.sock"));
        assertThat(c.caTtl()).isEqualTo(Duration.ofHours(24));
        assertThat(c.defaultX509SvidTtl()).isEqualTo(Duration.ofHours(1));
        assertThat(c.agentSvidTtl()).isEqualTo(Duration.ofHours(1));
        assertThat(c.joinTokenTtl()).isEqualTo(Duration.ofSeconds(600));
        assertThat(c.keyManager()).isEqualTo("disk");
        assertThat(c.auditWrites()).isEqualTo(GroupCommitAuditLog.Mode.ASYNC);
        assertThat(c.signingQueueSize()).isEqualTo(5000);
        assertThat(c.databaseUrl()).isEmpty();
    }

    @Test
    void configFile_setsKeys_andLaterBuilderCallsOverrideThem() throws Exception {
        Path file = dir.resolve("server.yaml");
        Files.writeString(file, "trustDomain: corp.example\nserverPort: 9000\ndefaultX509SvidTtl: 90s\ncaTtl: 2d\n");

        ServerConfig c = ServerConfigLoader.apply(file, ServerConfig.builder())
                .serverPort(9100)
                .build();

        assertThat(c.trustDomain().name()).isEqualTo("corp.example");
        assertThat(c.serverPort()).isEqualTo(9100);
        assertThat(c.defaultX509SvidTtl()).isEqualTo(Duration.ofSeconds(90));
        assertThat(c.caTtl()).isEqualTo(Duration.ofDays(2));
    }

    @Test
    void unknownKey_isNamedWithTheFile() throws Exception {
        Path file = dir.resolve("server.yaml");
        Files.writeString(file, "trustDomian: corp.example\n");

        assertThatThrownBy(() -> ServerConfigLoader.apply(file, ServerConfig.builder()))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("unknown config key \"trustDomian\"")
                .hasMessageContaining(file.toString());
    }

    @Test
    void duplicateKey_isRefused_namingTheKeyAndItsLine_ratherThanLastOneWins() throws Exception {
        Path file = dir.resolve("server.yaml");
        Files.writeString(file, "trustDomain: corp.example\nserverPort: 9000\n\ntrustDomain: other.example\n");

        assertThatThrownBy(() -> ServerConfigLoader.apply(file, ServerConfig.builder()))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessage("duplicate config key \"trustDomain\" at line 4 of " + file);
    }

    @Test
    void duplicateKeyInAPluginBlock_isRefused() throws Exception {
        Path file = dir.resolve("server.yaml");
        Files.writeString(
                file, "plugins:\n  keyManager:\n    disk:\n      directory: /a\n  keyManager:\n    memory: {}\n");

        assertThatThrownBy(() -> ServerConfigLoader.apply(file, ServerConfig.builder()))
                .hasMessage("duplicate config key \"plugins.keyManager\" at line 5 of " + file);
    }

    @Test
    void binaryConfigFile_isNotUtf8Text() throws Exception {
        Path file = Files.write(dir.resolve("server.yaml"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 1});

        assertThatThrownBy(() -> ServerConfigLoader.apply(file, ServerConfig.builder()))
                .hasMessage("config file " + file + " is not UTF-8 text");
    }

    @Test
    void badValues_areNamed() {
        assertThatThrownBy(() -> ServerConfig.builder().serverPort(70000).build())
                .hasMessageContaining("serverPort");
        assertThatThrownBy(() -> ServerConfig.builder().keyManager("hsm").build())
                .hasMessageContaining("keyManager");
        assertThatThrownBy(() ->
                        ServerConfig.builder().socketPath(Path.of("rel.sock")).build())
                .hasMessageContaining("socketPath");
        assertThatThrownBy(() -> Durations.parse("caTtl", "10y")).hasMessageContaining("unknown unit 'y'");
        assertThatThrownBy(() -> Durations.parse("caTtl", "abc")).hasMessageContaining("caTtl: invalid duration 'abc'");
    }

    @Test
    void auditWrites_isAsyncUnlessTheFileSaysSync() throws Exception {
        Path file = dir.resolve("server.yaml");
        Files.writeString(file, "trustDomain: corp.example\n");
        assertThat(ServerConfigLoader.apply(file, ServerConfig.builder())
                        .build()
                        .auditWrites())
                .isEqualTo(GroupCommitAuditLog.Mode.ASYNC);

        Files.writeString(file, "auditWrites: sync\n");
        assertThat(ServerConfigLoader.apply(file, ServerConfig.builder())
                        .build()
                        .auditWrites())
                .isEqualTo(GroupCommitAuditLog.Mode.SYNC);
    }

    @Test
    void auditWrites_otherThanAsyncOrSync_isRefused_namingTheKeyAndTheChoices() throws Exception {
        Path file = dir.resolve("server.yaml");
        Files.writeString(file, "auditWrites: bogus\n");

        assertThatThrownBy(() ->
                        ServerConfigLoader.apply(file, ServerConfig.builder()).build())
                .isInstanceOf(ConfigException.class)
                .hasMessage("auditWrites must be \"async\" or \"sync\", got \"bogus\"");
    }

    @Test
    void signingQueueSize_comesFromTheFile() throws Exception {
        Path file = dir.resolve("server.yaml");
        Files.writeString(file, "signingQueueSize: 200\n");

        assertThat(ServerConfigLoader.apply(file, ServerConfig.builder())
                        .build()
                        .signingQueueSize())
                .isEqualTo(200);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1})
    void signingQueueSize_belowOne_isRefused_namingTheKey(int size) throws Exception {
        Path file = dir.resolve("server.yaml");
        Files.writeString(file, "signingQueueSize: " + size + "\n");

        assertThatThrownBy(() ->
                        ServerConfigLoader.apply(file, ServerConfig.builder()).build())
                .isInstanceOf(ConfigException.class)
                .hasMessage("signingQueueSize must be at least 1 (CSRs queued or being signed at once), got " + size);
    }

    @Test
    void caTtl_acceptsOneMinute_refusesLess_andMustBeTwiceTheLargestSvidTtl() {
        ServerConfig.Builder b = ServerConfig.builder()
                .trustDomain(io.meshca.common.spiffe.TrustDomain.parse("example.org"))
                .defaultX509SvidTtl(Duration.ofSeconds(30))
                .agentSvidTtl(Duration.ofSeconds(20))
                .defaultJwtSvidTtl(Duration.ofSeconds(10));
        assertThat(b.caTtl(Duration.ofMinutes(1)).build().caTtl()).isEqualTo(Duration.ofMinutes(1));
        assertThatThrownBy(() -> b.caTtl(Duration.ofSeconds(1)).build())
                .isInstanceOf(ConfigException.class)
                .hasMessage("caTtl must be at least 1m, got 1s");
        assertThatThrownBy(() -> b.caTtl(Duration.ofMinutes(1))
                        .agentSvidTtl(Duration.ofSeconds(45))
                        .build())
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("caTtl (1m) must be at least twice the largest SVID TTL: agentSvidTtl is 45s");
        assertThatThrownBy(() -> ServerConfig.builder()
                        .trustDomain(io.meshca.common.spiffe.TrustDomain.parse("example.org"))
                        .caTtl(Duration.ofMinutes(90))
                        .build())
                .hasMessageContaining("defaultX509SvidTtl is 1h");
    }
}
