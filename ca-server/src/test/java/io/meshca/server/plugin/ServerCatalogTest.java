package io.meshca.server.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshca.common.error.InvalidArgumentException;
import io.meshca.common.pki.Pem;
import io.meshca.common.plugin.PluginsConfig;
import io.meshca.common.spiffe.TrustDomain;
import io.meshca.common.testing.FakeClock;
import io.meshca.common.testing.TestPki;
import io.meshca.server.attestation.node.JoinTokenAttestor;
import io.meshca.server.attestation.node.JoinTokens;
import io.meshca.server.attestation.node.NodeAttestor;
import io.meshca.server.aws.TestAwsIdentity;
import io.meshca.server.ca.keys.DiskKeyManager;
import io.meshca.server.ca.keys.MemoryKeyManager;
import io.meshca.server.ca.upstream.DiskUpstreamAuthority;
import io.meshca.server.ca.upstream.SelfSignedAuthority;
import io.meshca.server.ca.upstream.UpstreamAuthority;
import io.meshca.server.config.ConfigException;
import io.meshca.server.config.ServerConfig;
import io.meshca.server.config.ServerConfigLoader;
import io.meshca.server.datastore.DataStore;
import io.meshca.server.k8s.TestTokenIssuer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How the server config chooses plugins, and what it refuses before anything is created. */
class ServerCatalogTest {

    private static final TrustDomain TD = TrustDomain.parse("example.org");

    @TempDir
    Path dir;

    private final FakeClock clock = new FakeClock(Instant.parse("2026-03-01T12:00:00Z"));
    private DataStore store;
    private ServerPluginContext context;

    @BeforeEach
    void setUp() {
        store = DataStore.sqlite(dir.resolve("db"), clock);
        context = new ServerPluginContext(
                TD, dir.resolve("data"), clock, new JoinTokens(TD, store.joinTokens(), clock), id -> false);
    }

    @AfterEach
    void tearDown() {
        store.close();
    }

    private ServerConfig load(String yaml) throws Exception {
        Path file = Files.writeString(dir.resolve("server.yaml"), yaml);
        return ServerConfigLoader.apply(file, ServerConfig.builder()).build();
    }

    @Test
    void defaults_areDisk_joinToken_andNone() {
        ServerConfig config = ServerConfig.builder().build();

        ServerPlugins plugins = ServerCatalog.load(config.plugins(), context);

        assertThat(config.keyManager()).isEqualTo("disk");
        assertThat(plugins.keyManager()).isInstanceOf(DiskKeyManager.class);
        assertThat(plugins.nodeAttestors()).singleElement().isInstanceOf(JoinTokenAttestor.class);
        assertThat(plugins.nodeAttestors()).extracting(NodeAttestor::type).containsExactly("join_token");
        assertThat(plugins.upstreamAuthority()).isInstanceOf(SelfSignedAuthority.class);
    }

    @Test
    void disk_keepsItsKeysInTheDataDir_byDefault() {
        ServerPlugins plugins =
                ServerCatalog.load(ServerConfig.builder().build().plugins(), context);

        plugins.keyManager().generate("ca-1");

        assertThat(dir.resolve("data/keys/ca-1.pk8")).exists();
    }

    @Test
    void theShortKeyManagerKey_mapsOntoTheCatalog() throws Exception {
        ServerConfig config = load("keyManager: memory\n");

        assertThat(config.plugins().plugins("keyManager")).containsOnlyKeys("memory");
        assertThat(ServerCatalog.load(config.plugins(), context).keyManager()).isInstanceOf(MemoryKeyManager.class);
        assertThat(ServerConfig.builder().keyManager("memory").build().plugins())
                .isEqualTo(config.plugins());
    }

    @Test
    void thePluginsBlock_configuresEachPlugin() throws Exception {
        Path keys = dir.resolve("elsewhere");
        ServerConfig config = load("""
                plugins:
                  keyManager:
                    disk: { directory: %s }
                  nodeAttestor:
                    join_token: {}
                  upstreamAuthority:
                    none:
                """.formatted(keys));

        ServerCatalog.load(config.plugins(), context).keyManager().generate("ca-2");

        assertThat(config.keyManager()).isEqualTo("disk");
        assertThat(keys.resolve("ca-2.pk8")).exists();
        assertThat(dir.resolve("data/keys")).doesNotExist();
    }

    @Test
    void aKindLeftOut_runsItsDefault() throws Exception {
        ServerConfig config = load("plugins: { keyManager: { memory: {} } }\n");

        assertThat(config.plugins().plugins("nodeAttestor")).containsOnlyKeys("join_token");
        assertThat(config.plugins().plugins("upstreamAuthority")).containsOnlyKeys("none");
    }

    @Test
    void keyManager_andPluginsKeyManager_together_areRefusedNamingBoth() {
        assertThatThrownBy(() -> load("keyManager: memory\nplugins: { keyManager: { disk: {} } }\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("keyManager (memory) and plugins.keyManager (disk) both choose the key manager:"
                        + " set only one of them");
    }

    @Test
    void anUnknownPlugin_isRefusedNamingTheKindAndTheKnownNames() {
        assertThatThrownBy(() -> load("plugins: { keyManager: { hsm: {} } }\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessage(
                        "plugins.keyManager: unknown plugin \"hsm\" (known keyManager plugins: disk, memory, pkcs11)");
        assertThatThrownBy(() -> load("keyManager: hsm\n"))
                .hasMessage(
                        "plugins.keyManager: unknown plugin \"hsm\" (known keyManager plugins: disk, memory, pkcs11)");
        assertThatThrownBy(() -> load("plugins: { upstreamAuthority: { vault: {} } }\n"))
                .hasMessage("plugins.upstreamAuthority: unknown plugin \"vault\""
                        + " (known upstreamAuthority plugins: disk, none)");
    }

    @Test
    void anUnknownKind_isRefusedNamingTheKnownKinds() {
        assertThatThrownBy(() -> load("plugins: { workloadAttestor: { unix: {} } }\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("plugins: unknown plugin kind \"workloadAttestor\""
                        + " (known kinds: keyManager, nodeAttestor, upstreamAuthority)");
    }

    @Test
    void twoKeyManagers_areRefused() {
        assertThatThrownBy(() -> load("plugins: { keyManager: { disk: {}, memory: {} } }\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("plugins.keyManager: exactly one plugin required, 2 configured (disk, memory)"
                        + " (known keyManager plugins: disk, memory, pkcs11)");
    }

    @Test
    void noNodeAttestor_isRefused() {
        assertThatThrownBy(() -> load("plugins: { nodeAttestor: {} }\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("plugins.nodeAttestor: one or more plugin required, 0 configured"
                        + " (known nodeAttestor plugins: aws_iid, azure_msi, join_token, k8s_psat, x509pop)");
    }

    @Test
    void anUnknownKeyInAPluginsBlock_isRefusedNamingIt_andNoKeyDirectoryIsMade() throws Exception {
        ServerConfig memory = load("plugins: { keyManager: { memory: { directory: /tmp/k } } }\n");
        assertThatThrownBy(() -> ServerCatalog.load(memory.plugins(), context))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessage("unknown config key \"plugins.keyManager.memory.directory\" (known keys here: none)");

        ServerConfig attestor = load("plugins: { nodeAttestor: { join_token: { ttl: 5m } } }\n");
        assertThatThrownBy(() -> ServerCatalog.load(attestor.plugins(), context))
                .hasMessage("unknown config key \"plugins.nodeAttestor.join_token.ttl\" (known keys here: none)");
        assertThat(dir.resolve("data/keys")).doesNotExist();

        ServerConfig disk = load("plugins: { keyManager: { disk: { dir: /tmp/k } } }\n");
        assertThatThrownBy(() -> ServerCatalog.load(disk.plugins(), context))
                .hasMessage("unknown config key \"plugins.keyManager.disk.dir\" (known keys here: directory)");
    }

    @Test
    void upstreamAuthority_disk_readsTheUpstreamCaFiles() throws Exception {
        TestPki.Authority corporate =
                TestPki.root(TD, Instant.parse("2026-01-01T00:00:00Z"), Instant.parse("2027-01-01T00:00:00Z"));
        Path cert = Files.writeString(
                dir.resolve("upstream.pem"), Pem.encodeCertificates(List.of(corporate.certificate())));
        Path key = Files.writeString(
                dir.resolve("upstream.key"),
                Pem.encodePrivateKey(corporate.keyPair().getPrivate()));
        ServerConfig config =
                load("plugins: { upstreamAuthority: { disk: { certFile: %s, keyFile: %s } } }\n".formatted(cert, key));

        UpstreamAuthority upstream =
                ServerCatalog.load(config.plugins(), context).upstreamAuthority();

        assertThat(upstream).isInstanceOf(DiskUpstreamAuthority.class);
        assertThat(upstream.x509Roots()).containsExactly(corporate.certificate());
    }

    @Test
    void upstreamAuthority_disk_withoutItsFiles_isRefusedNamingTheKey() throws Exception {
        ServerConfig config = load("plugins: { upstreamAuthority: { disk: { keyFile: /nonexistent/k.pem } } }\n");

        assertThatThrownBy(() -> ServerCatalog.load(config.plugins(), context))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageStartingWith("plugins.upstreamAuthority.disk.certFile is required");
    }

    @Test
    void pkcs11_validatesItsBlockBeforeTouchingAnyToken() throws Exception {
        ServerConfig noLibrary = load("plugins: { keyManager: { pkcs11: { tokenLabel: meshca, pinFile: /x } } }\n");
        assertThatThrownBy(() -> ServerCatalog.load(noLibrary.plugins(), context))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessage("plugins.keyManager.pkcs11.library is required: the path of the PKCS#11 module,"
                        + " e.g. /usr/lib/softhsm/libsofthsm2.so");

        ServerConfig literalPin = load("plugins: { keyManager: { pkcs11: { pin: \"123456\" } } }\n");
        assertThatThrownBy(() -> ServerCatalog.load(literalPin.plugins(), context))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageStartingWith("plugins.keyManager.pkcs11.pin: a PIN is never written in the config")
                .hasMessageNotContaining("123456");
    }

    @Test
    void k8sPsat_fromTheServerYaml_runsBesideJoinTokens() throws Exception {
        Path jwks = new TestTokenIssuer("https://k8s.example", "k1").writeJwks(dir.resolve("jwks.json"));
        ServerConfig config = load("""
                plugins:
                  nodeAttestor:
                    join_token: {}
                    k8s_psat:
                      cluster: prod
                      issuer: https://k8s.example
                      jwksFile: %s
                      serviceAccountAllowList: ["meshca-system:meshca-agent"]
                """.formatted(jwks));

        ServerCatalog.validate(config.plugins(), clock);
        ServerPlugins plugins = ServerCatalog.load(config.plugins(), context);

        assertThat(plugins.nodeAttestors()).extracting(NodeAttestor::type).containsExactly("join_token", "k8s_psat");
    }

    @Test
    void k8sPsat_withABrokenBlock_failsValidation_namingTheKey() throws Exception {
        ServerConfig missingFile = load("""
                plugins:
                  nodeAttestor:
                    k8s_psat: { cluster: prod, issuer: x, jwksFile: /nonexistent/jwks.json,
                                serviceAccountAllowList: [a:b] }
                """);
        ServerConfig noAllowList =
                load("plugins: { nodeAttestor: { k8s_psat: { cluster: prod, issuer: https://k8s.example } } }\n");

        assertThatThrownBy(() -> ServerCatalog.validate(missingFile.plugins(), clock))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageStartingWith("cannot read JWKS file /nonexistent/jwks.json");
        assertThatThrownBy(() -> ServerCatalog.validate(noAllowList.plugins(), clock))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageStartingWith("plugins.nodeAttestor.k8s_psat.serviceAccountAllowList is required");
    }

    @Test
    void x509pop_fromTheServerYaml_runsBesideJoinTokens() throws Exception {
        Path bundle = Files.writeString(
                dir.resolve("node-ca.pem"),
                Pem.encodeCertificates(List.of(TestPki.root(TD).certificate())));
        ServerConfig config = load("""
                plugins:
                  nodeAttestor:
                    join_token: {}
                    x509pop:
                      caBundlePath: %s
                      agentPathTemplate: /x509pop/{{subject.cn}}
                """.formatted(bundle));

        ServerCatalog.validate(config.plugins(), clock);
        ServerPlugins plugins = ServerCatalog.load(config.plugins(), context);

        assertThat(plugins.nodeAttestors()).extracting(NodeAttestor::type).containsExactly("join_token", "x509pop");
    }

    @Test
    void x509pop_withABrokenBlock_failsValidation_namingTheKeyOrTheFile() throws Exception {
        Path bundle = Files.writeString(
                dir.resolve("node-ca.pem"),
                Pem.encodeCertificates(List.of(TestPki.root(TD).certificate())));
        ServerConfig missingFile =
                load("plugins: { nodeAttestor: { x509pop: { caBundlePath: /nonexistent/ca.pem } } }\n");
        ServerConfig badTemplate = load(
                "plugins: { nodeAttestor: { x509pop: { caBundlePath: %s, agentPathTemplate: '/n/{{hostname}}' } } }\n"
                        .formatted(bundle));

        assertThatThrownBy(() -> ServerCatalog.validate(missingFile.plugins(), clock))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("/nonexistent/ca.pem does not exist");
        assertThatThrownBy(() -> ServerCatalog.validate(badTemplate.plugins(), clock))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageStartingWith(
                        "plugins.nodeAttestor.x509pop.agentPathTemplate has unknown placeholders" + " {{hostname}}");
    }

    @Test
    void cloudAttestors_fromTheServerYaml_validateAndLoad() throws Exception {
        Path aws = new TestAwsIdentity(1).writeCertificate(dir.resolve("aws.pem"));
        ServerConfig config = load("""
                plugins:
                  nodeAttestor:
                    aws_iid:
                      awsCertificatePath: %s
                      accountAllowList: ["123456789012"]
                      maxDocumentAge: 10m
                    azure_msi:
                      tenants:
                        72f988bf-86f1-41af-91ab-2d7cd011db47: { resource: "api://meshca" }
                """.formatted(aws));

        ServerCatalog.validate(config.plugins(), clock);
        ServerPlugins plugins = ServerCatalog.load(config.plugins(), context);
        assertThat(plugins.nodeAttestors()).extracting(NodeAttestor::type).containsExactly("aws_iid", "azure_msi");
    }

    @Test
    void cloudAttestors_withBrokenBlocks_failValidation_namingTheKey() throws Exception {
        ServerConfig noCertificate = load("plugins: { nodeAttestor: { aws_iid: { accountAllowList: [] } } }\n");
        ServerConfig missingCertificate =
                load("plugins: { nodeAttestor: { aws_iid: { awsCertificatePath: /nonexistent/aws.pem } } }\n");
        ServerConfig noTenants = load("plugins: { nodeAttestor: { azure_msi: {} } }\n");
        ServerConfig missingJwks = load("""
                plugins:
                  nodeAttestor:
                    azure_msi: { tenants: { 72f988bf-86f1-41af-91ab-2d7cd011db47: { jwksFile: /nonexistent/k.json } } }
                """);

        assertThatThrownBy(() -> ServerCatalog.validate(noCertificate.plugins(), clock))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageStartingWith("plugins.nodeAttestor.aws_iid.awsCertificatePath is required");
        assertThatThrownBy(() -> ServerCatalog.validate(missingCertificate.plugins(), clock))
                .hasMessageStartingWith(
                        "cannot read plugins.nodeAttestor.aws_iid.awsCertificatePath /nonexistent/aws.pem");
        assertThatThrownBy(() -> ServerCatalog.validate(noTenants.plugins(), clock))
                .hasMessageStartingWith("plugins.nodeAttestor.azure_msi.tenants is required");
        assertThatThrownBy(() -> ServerCatalog.validate(missingJwks.plugins(), clock))
                .hasMessageStartingWith("cannot read JWKS file /nonexistent/k.json");
    }

    @Test
    void toBuilder_keepsTheChoice_andTheShortKeyCanReplaceIt() {
        ServerConfig memory = ServerConfig.builder().keyManager("memory").build();

        assertThat(memory.toBuilder().build().keyManager()).isEqualTo("memory");
        assertThat(memory.toBuilder().keyManager("disk").build().keyManager()).isEqualTo("disk");
        assertThat(ServerConfig.builder()
                        .plugins(PluginsConfig.of(Map.of("keyManager", Map.of("memory", Map.of()))))
                        .build()
                        .toBuilder()
                        .build()
                        .keyManager())
                .isEqualTo("memory");
    }
}
