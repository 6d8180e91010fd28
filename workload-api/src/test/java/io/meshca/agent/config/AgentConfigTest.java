package io.meshca.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshca.agent.client.ServerAddress;
import io.meshca.agent.sds.SdsSettings;
import io.meshca.common.error.InvalidArgumentException;
import io.meshca.common.spiffe.TrustDomain;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentConfigTest {

    @TempDir
    Path temp;

    @Test
    void noConfig_runsTheDefaults() {
        AgentConfig config = AgentConfig.builder().build();

        assertThat(config.trustDomain()).isEqualTo(TrustDomain.parse("example.org"));
        assertThat(config.serverAddress()).isEqualTo("127.0.0.1");
        assertThat(config.serverPort()).isEqualTo(8081);
        assertThat(config.socketPath()).isEqualTo(Path.of("/tmp/meshca-agent/public/api.sock"));
        assertThat(config.dataDir()).isEqualTo(Path.of(".data/agent").toAbsolutePath());
        assertThat(config.trustBundle()).isEmpty();
        assertThat(config.joinToken()).isEmpty();
        assertThat(config.sds()).isEqualTo(new SdsSettings("default", "ROOTCA", "ALL", false));
    }

    @Test
    void sdsKeys_areReadFromTheFile_andFlagsOverrideThem() throws Exception {
        Path file = temp.resolve("agent.yaml");
        Files.writeString(file, """
                sdsDefaultSvidName: svid
                sdsDefaultBundleName: root
                sdsDefaultAllBundlesName: everything
                sdsDisableSpiffeCertValidation: true
                """);

        assertThat(AgentConfig.builder().file(file).build().sds())
                .isEqualTo(new SdsSettings("svid", "root", "everything", true));
        assertThat(AgentConfig.builder()
                        .file(file)
                        .sdsDefaultSvidName("cert")
                        .sdsDisableSpiffeCertValidation(false)
                        .build()
                        .sds())
                .isEqualTo(new SdsSettings("cert", "root", "everything", false));
    }

    @Test
    void sdsNames_thatAreEmpty_spiffeIds_orTheSame_areRejectedWithTheirName() {
        assertThatThrownBy(() -> AgentConfig.builder().sdsDefaultBundleName(" ").build())
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("sdsDefaultBundleName");
        assertThatThrownBy(() -> AgentConfig.builder()
                        .sdsDefaultSvidName("spiffe://example.org/web")
                        .build())
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("sdsDefaultSvidName")
                .hasMessageContaining("SPIFFE ID");
        assertThatThrownBy(() ->
                        AgentConfig.builder().sdsDefaultAllBundlesName("ROOTCA").build())
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("sdsDefaultAllBundlesName")
                .hasMessageContaining("must differ");
    }

    @Test
    void flags_overrideTheFilesKeys() throws Exception {
        Path file = temp.resolve("agent.yaml");
        Files.writeString(file, """
                trustDomain: corp.example
                serverAddress: ca.internal
                serverPort: 9000
                socketPath: /run/agent.sock
                trustBundle: /etc/meshca/bundle.pem
                joinToken: from-file
                dataDir: /var/lib/meshca-agent
                """);

        AgentConfig config = AgentConfig.builder()
                .file(file)
                .serverPort(9443)
                .joinToken("from-flag")
                .build();

        assertThat(config.trustDomain().name()).isEqualTo("corp.example");
        assertThat(config.serverAddress()).isEqualTo("ca.internal");
        assertThat(config.serverPort()).isEqualTo(9443);
        assertThat(config.socketPath()).isEqualTo(Path.of("/run/agent.sock"));
        assertThat(config.trustBundle()).contains(Path.of("/etc/meshca/bundle.pem"));
        assertThat(config.joinToken()).contains("from-flag");
        assertThat(config.dataDir()).isEqualTo(Path.of("/var/lib/meshca-agent"));
        assertThat(config.toString()).doesNotContain("from-flag");
    }

    @Test
    void unknownKey_isAnErrorNamingKeyAndFile() throws Exception {
        Path file = temp.resolve("agent.yaml");
        Files.writeString(file, "serverAdress: typo\n");

        assertThatThrownBy(() -> AgentConfig.builder().file(file))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("serverAdress")
                .hasMessageContaining(file.toString());
    }

    @Test
    void invalidValues_areRejectedWithTheirName() {
        assertThatThrownBy(
                        () -> AgentConfig.builder().trustDomain("Not A Domain").build())
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("trustDomain");
        assertThatThrownBy(() -> AgentConfig.builder().serverPort(70000).build())
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("serverPort");
    }

    @Test
    void singleServerAddress_isOneServer_onServerPort() {
        AgentConfig config = AgentConfig.builder()
                .serverAddress("ca.internal")
                .serverPort(9000)
                .build();

        assertThat(config.servers()).containsExactly(new ServerAddress("ca.internal", 9000));
    }

    @Test
    void serverAddressList_fromTheFileKey_givesEachReplica_andServerPortIsTheDefault() throws Exception {
        Path file = Files.writeString(temp.resolve("agent.yaml"), """
                serverAddress: ca-1.internal,ca-2.internal:9443
                serverPort: 9000
                """);

        AgentConfig config = AgentConfig.builder().file(file).build();

        assertThat(config.servers())
                .containsExactly(new ServerAddress("ca-1.internal", 9000), new ServerAddress("ca-2.internal", 9443));
        assertThat(config.toString()).contains("servers=[ca-1.internal:9000, ca-2.internal:9443]");
    }

    @Test
    void serverAddressList_withABadEntry_isRejectedNamingIt() {
        assertThatThrownBy(() -> AgentConfig.builder()
                        .serverAddress("ca-1.internal,ca-2.internal:x")
                        .build())
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessage(
                        "serverAddress entry \"ca-2.internal:x\" is invalid: port \"x\" is not a TCP port (0-65535)");
        assertThatThrownBy(() -> AgentConfig.builder().serverAddress(" ").build())
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageStartingWith("serverAddress is empty");
    }

    @Test
    void joinTokenFile_isReadAndTrimmed_fromTheFlagOrTheFileKey() throws Exception {
        Path token = Files.writeString(temp.resolve("token"), "  abc-123\n\n");
        Path file = Files.writeString(temp.resolve("agent.yaml"), "joinTokenFile: " + token + "\n");

        assertThat(AgentConfig.builder().joinTokenFile(token).build().joinToken())
                .contains("abc-123");
        AgentConfig fromFile = AgentConfig.builder().file(file).build();
        assertThat(fromFile.joinToken()).contains("abc-123");
        assertThat(fromFile.joinTokenFile()).contains(token);
        assertThat(fromFile.toString()).doesNotContain("abc-123");
    }

    @Test
    void joinTokenFile_thatIsEmptyMissingOrBinary_isOneLineNamingTheFile() throws Exception {
        Path empty = Files.writeString(temp.resolve("empty"), " \n");
        Path missing = temp.resolve("missing");
        Path binary = Files.write(temp.resolve("binary"), new byte[] {(byte) 0xc3, 0x28, 0x0a});

        assertThatThrownBy(() -> AgentConfig.builder().joinTokenFile(empty).build())
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageStartingWith("join token file " + empty + " is empty");
        assertThatThrownBy(() -> AgentConfig.builder().joinTokenFile(missing).build())
                .hasMessage("join token file " + missing + " does not exist");
        assertThatThrownBy(() -> AgentConfig.builder().joinTokenFile(binary).build())
                .hasMessage("join token file " + binary + " is not UTF-8 text");
    }

    @Test
    void joinTokenAndJoinTokenFile_together_areRefused() throws Exception {
        Path token = Files.writeString(temp.resolve("token"), "abc");

        assertThatThrownBy(() -> AgentConfig.builder()
                        .joinToken("xyz")
                        .joinTokenFile(token)
                        .build())
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("both joinToken and joinTokenFile")
                .hasMessageNotContaining("xyz")
                .hasMessageNotContaining("abc");
    }

    @Test
    void duplicateKey_isRefused_namingItsLine() throws Exception {
        Path file = temp.resolve("agent.yaml");
        Files.writeString(file, "trustDomain: a.org\nserverPort: 8081\ntrustDomain: b.org\n");

        assertThatThrownBy(() -> AgentConfig.builder().file(file))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessage("duplicate config key \"trustDomain\" at line 3 of " + file);
    }

    @Test
    void binaryConfigFile_isNotUtf8Text() throws Exception {
        Path file = Files.write(temp.resolve("agent.yaml"), new byte[] {0x1f, (byte) 0x8b, 0x08, 0x00});

        assertThatThrownBy(() -> AgentConfig.builder().file(file))
                .hasMessage("config file " + file + " is not UTF-8 text");
    }
}
