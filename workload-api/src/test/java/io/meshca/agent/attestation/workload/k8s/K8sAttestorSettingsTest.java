package io.meshca.agent.attestation.workload.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.meshca.common.error.InvalidArgumentException;
import io.meshca.common.pki.Pem;
import io.meshca.common.plugin.PluginConfig;
import io.meshca.common.spiffe.TrustDomain;
import io.meshca.common.testing.TestPki;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class K8sAttestorSettingsTest {

    private static final String PATH = "plugins.workloadAttestor.k8s";

    @TempDir
    Path dir;

    private Map<String, Object> valid;

    @BeforeEach
    void files() throws Exception {
        Files.writeString(
                dir.resolve("ca.pem"),
                Pem.encodeCertificates(
                        List.of(TestPki.root(TrustDomain.parse("kubelet.test")).certificate())));
        Files.writeString(dir.resolve("token"), "t0ken\n");
        valid = new HashMap<>(Map.of(
                "kubeletCaFile",
                dir.resolve("ca.pem").toString(),
                "tokenFile",
                dir.resolve("token").toString()));
    }

    @Test
    void theDefaults_areTheLocalKubeletsAuthenticatedPort_andAFiveSecondCache() {
        K8sAttestorSettings settings = parse(valid);

        assertThat(settings.kubeletUrl()).isEqualTo(URI.create("https://127.0.0.1:10250"));
        assertThat(settings.podCacheTtl()).isEqualTo(Duration.ofSeconds(5));
        assertThat(settings.tokenFile()).contains(dir.resolve("token"));
        assertThat(settings.kubeletCa().orElseThrow()).hasSize(1);
    }

    @Test
    void theNodeIpFromTheDownwardApi_isTheDefaultKubeletHost() {
        PluginConfig block = new PluginConfig(PATH, valid);

        assertThat(K8sAttestorSettings.parse(block, Map.of("MESHCA_NODE_IP", "10.0.0.11"))
                        .kubeletUrl())
                .isEqualTo(URI.create("https://10.0.0.11:10250"));
        assertThat(K8sAttestorSettings.parse(block, Map.of("MESHCA_NODE_IP", "fd00::11"))
                        .kubeletUrl())
                .isEqualTo(URI.create("https://[fd00::11]:10250"));
    }

    @Test
    void aKubeletUrlInTheBlock_winsOverTheNodeIp() {
        valid.put("kubeletUrl", "https://node-1:10250");

        assertThat(K8sAttestorSettings.parse(new PluginConfig(PATH, valid), Map.of("MESHCA_NODE_IP", "10.0.0.11"))
                        .kubeletUrl())
                .isEqualTo(URI.create("https://node-1:10250"));
    }

    @Test
    void aNodeIpThatIsNoHost_isRefusedAsTheKubeletUrl() {
        assertThatThrownBy(() -> K8sAttestorSettings.parse(
                        new PluginConfig(PATH, valid), Map.of("MESHCA_NODE_IP", "10.0.0.11/24")))
                .hasMessage(PATH + ".kubeletUrl " + K8sAttestorSettings.BAD_URL);
    }

    @Test
    void everyKey_isRead() {
        valid.put("kubeletUrl", "https://node-1.example.internal:10250");
        valid.put("podCacheTtl", "500ms");

        K8sAttestorSettings settings = parse(valid);

        assertThat(settings.kubeletUrl()).isEqualTo(URI.create("https://node-1.example.internal:10250"));
        assertThat(settings.podCacheTtl()).isEqualTo(Duration.ofMillis(500));
    }

    @Test
    void withoutItsFiles_theServiceAccountsStandardPathsAreRead() {
        assumeFalse(Files.exists(K8sAttestorSettings.SERVICE_ACCOUNT_DIR), "running in a pod");
        assertThatThrownBy(() -> parse(Map.of()))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessage(PATH + ".kubeletCaFile: cannot read /var/run/secrets/kubernetes.io/serviceaccount/ca.crt");
    }

    @Test
    void aTokenFileThatCannotBeRead_isRefusedAtStart() {
        valid.put("tokenFile", dir.resolve("missing").toString());

        assertThatThrownBy(() -> parse(valid)).hasMessage(PATH + ".tokenFile: cannot read " + dir.resolve("missing"));
    }

    @Test
    void aCaFileWithoutCertificates_isRefused() throws Exception {
        Files.writeString(dir.resolve("ca.pem"), "not a certificate");

        assertThatThrownBy(() -> parse(valid))
                .hasMessage(PATH + ".kubeletCaFile: " + dir.resolve("ca.pem") + " holds no PEM certificate");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "127.0.0.1:10250",
                "ftp://127.0.0.1:10250",
                "https://127.0.0.1:10250/pods",
                "https://user:pw@127.0.0.1:10250",
                "https://127.0.0.1:10250?x=1",
                "https:///pods",
                "http://[::1"
            })
    void aKubeletUrlThatIsNotABaseUrl_isRefused(String url) {
        valid.put("kubeletUrl", url);

        assertThatThrownBy(() -> parse(valid))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessage(PATH + ".kubeletUrl " + K8sAttestorSettings.BAD_URL);
    }

    @ParameterizedTest
    @ValueSource(strings = {"tokenFile", "kubeletCaFile"})
    void theReadOnlyPort_takesNoTokenOrCa(String key) {
        Map<String, Object> block = Map.of("kubeletUrl", "http://127.0.0.1:10255", key, valid.get(key));

        assertThatThrownBy(() -> parse(block))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessage(PATH + "." + key + " " + K8sAttestorSettings.HTTPS_ONLY);
    }

    @Test
    void theReadOnlyPort_needsNoFiles() {
        K8sAttestorSettings settings = parse(Map.of("kubeletUrl", "http://127.0.0.1:10255"));

        assertThat(settings.tokenFile()).isEmpty();
        assertThat(settings.kubeletCa()).isEmpty();
    }

    @Test
    void aBadCacheTtl_isRefusedNamingTheKey() {
        valid.put("podCacheTtl", "5 minutes");

        assertThatThrownBy(() -> parse(valid))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining(PATH + ".podCacheTtl");
    }

    @Test
    void anUnknownKey_isRefusedNamingIt() {
        valid.put("kubeletCAFile", "/etc/ca.pem");

        assertThatThrownBy(() -> parse(valid))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining(PATH + ".kubeletCAFile")
                .hasMessageContaining("kubeletCaFile, kubeletUrl, podCacheTtl, tokenFile");
    }

    private static K8sAttestorSettings parse(Map<String, Object> block) {
        return K8sAttestorSettings.parse(new PluginConfig(PATH, block), Map.of());
    }
}
