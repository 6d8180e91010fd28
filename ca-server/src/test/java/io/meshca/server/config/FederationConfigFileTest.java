package io.meshca.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshca.common.spiffe.SpiffeId;
import io.meshca.common.spiffe.TrustDomain;
import io.meshca.server.model.FederationRelationship.Profile;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FederationConfigFileTest {

    @TempDir
    Path dir;

    private FederationConfig load(String yaml) throws Exception {
        Path file = Files.writeString(dir.resolve("server.yaml"), yaml);
        return ServerConfigLoader.apply(file, ServerConfig.builder()).build().federation();
    }

    @Test
    void bundleEndpointAndRelationships_areRead() throws Exception {
        FederationConfig c = load("""
                bundleEndpoint: { address: 127.0.0.1, port: 8443, servingCertFile: web.pem, servingKeyFile: web.key, refreshHint: 1m }
                federatesWith:
                  b.test:
                    bundleEndpointURL: https://b:8443/
                    bundleEndpointProfile: https_spiffe
                    endpointSpiffeID: spiffe://b.test/meshca/server
                    trustDomainBundlePath: b.pem
                  c.test: { bundleEndpointURL: "https://c/", trustedCAFile: ca.pem }
                federationRefresh: { min: 5s, default: 2m }
                """);

        assertThat(c.bundleEndpoint()).hasValueSatisfying(e -> {
            assertThat(e.port()).isEqualTo(8443);
            assertThat(e.webProfile()).isTrue();
            assertThat(e.refreshHint()).isEqualTo(Duration.ofMinutes(1));
        });
        assertThat(c.relationships()).hasSize(2);
        var b = c.relationships().stream()
                .filter(r -> r.relationship().trustDomain().equals(TrustDomain.parse("b.test")))
                .findFirst()
                .orElseThrow();
        assertThat(b.relationship().profile()).isEqualTo(Profile.HTTPS_SPIFFE);
        assertThat(b.relationship().endpointSpiffeId()).isEqualTo(SpiffeId.parse("spiffe://b.test/meshca/server"));
        assertThat(b.bundlePath()).contains(Path.of("b.pem"));
        var cRel = c.relationships().stream()
                .filter(r -> r.relationship().trustDomain().equals(TrustDomain.parse("c.test")))
                .findFirst()
                .orElseThrow()
                .relationship();
        assertThat(cRel.profile()).isEqualTo(Profile.HTTPS_WEB);
        assertThat(cRel.bundleEndpointUrl()).isEqualTo(URI.create("https://c/"));
        assertThat(cRel.caFile()).contains(Path.of("ca.pem"));
        assertThat(c.minRefresh()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.defaultRefresh()).isEqualTo(Duration.ofMinutes(2));
    }

    @Test
    void noFederationKeys_meansNoEndpoint() throws Exception {
        assertThat(load("trustDomain: a.test\n").bundleEndpoint()).isEmpty();
    }

    @Test
    void httpsSpiffeWithoutEndpointId_isNamed() {
        assertThatThrownBy(() -> load("""
                federatesWith:
                  b.test: { bundleEndpointURL: "https://b/", bundleEndpointProfile: https_spiffe }
                """))
                .hasMessageContaining("federatesWith.b.test")
                .hasMessageContaining("-endpointSpiffeID");
    }

    @Test
    void plainHttp_isRefused() {
        assertThatThrownBy(() -> load("""
                federatesWith:
                  b.test: { bundleEndpointURL: "http://b/" }
                """)).hasMessageContaining("must be https");
    }

    @Test
    void aCertWithoutItsKey_isRefused() {
        assertThatThrownBy(() -> load("bundleEndpoint: { port: 8443, servingCertFile: web.pem }\n"))
                .hasMessageContaining("servingKeyFile");
    }
}
