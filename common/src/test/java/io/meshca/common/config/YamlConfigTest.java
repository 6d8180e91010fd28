package io.meshca.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshca.common.error.InvalidArgumentException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class YamlConfigTest {

    public static final class Sample {
        public String trustDomain = "example.org";
        public int serverPort = 8081;
        public Nested datastore = new Nested();
        public Map<String, Object> plugins;
    }

    public static final class Nested {
        public String type = "sqlite";
    }

    @Test
    void knownKeys_areRead_andDefaultsKept(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("server.yaml");
        Files.writeString(file, "serverPort: 9000\ndatastore:\n  type: postgres\n");
        Sample sample = YamlConfig.load(file, Sample.class);
        assertThat(sample.serverPort).isEqualTo(9000);
        assertThat(sample.trustDomain).isEqualTo("example.org");
        assertThat(sample.datastore.type).isEqualTo("postgres");
    }

    @Test
    void unknownKey_isAnErrorNamingTheKeyAndTheFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("server.yaml");
        Files.writeString(file, "datastore:\n  tpye: postgres\n");
        assertThatThrownBy(() -> YamlConfig.load(file, Sample.class))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("unknown config key \"datastore.tpye\"")
                .hasMessageContaining(file.toString())
                .hasMessageContaining("type");
    }

    @Test
    void wrongType_namesTheKey() {
        assertThatThrownBy(() -> YamlConfig.parse("serverPort: lots\n", "inline.yaml", Sample.class))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("serverPort")
                .hasMessageContaining("inline.yaml");
    }

    @Test
    void missingFile_isNamed(@TempDir Path dir) {
        Path file = dir.resolve("absent.yaml");
        assertThatThrownBy(() -> YamlConfig.load(file, Sample.class))
                .hasMessageContaining("absent.yaml")
                .hasMessageContaining("does not exist");
    }

    @Test
    void emptyFile_isAnError() {
        assertThatThrownBy(() -> YamlConfig.parse("", "empty.yaml", Sample.class))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("empty.yaml");
    }

    @Test
    void duplicateKey_isRefused_namingTheKeyTheLineAndTheFile() {
        String yaml = "# server\ntrustDomain: a.org\nserverPort: 9000\ntrustDomain: b.org\n";

        assertThatThrownBy(() -> YamlConfig.parse(yaml, "server.yaml", Sample.class))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessage("duplicate config key \"trustDomain\" at line 4 of server.yaml");
    }

    @Test
    void duplicateKeyInANestedBlock_isRefused() {
        String yaml = "datastore:\n  type: a\n  type: b\n";

        assertThatThrownBy(() -> YamlConfig.parse(yaml, "server.yaml", Sample.class))
                .hasMessage("duplicate config key \"datastore.type\" at line 3 of server.yaml");
    }

    @Test
    void duplicateKeyInAPluginBlock_isRefused() {
        String yaml = "plugins:\n  keyManager:\n    disk:\n      directory: /a\n      directory: /b\n";

        assertThatThrownBy(() -> YamlConfig.parse(yaml, "agent.yaml", Sample.class))
                .hasMessage("duplicate config key \"plugins.keyManager.disk.directory\" at line 5 of agent.yaml");
    }

    @Test
    void binaryFile_isNotUtf8Text(@TempDir Path dir) throws Exception {
        Path file = Files.write(dir.resolve("server.yaml"), new byte[] {0x74, 0x3a, (byte) 0xff, (byte) 0xfe, 0x0a});

        assertThatThrownBy(() -> YamlConfig.load(file, Sample.class))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessage("config file " + file + " is not UTF-8 text");
    }
}
