package io.meshca.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshca.common.error.InvalidArgumentException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class IstioCaConfigFileTest {

    @TempDir
    Path dir;

    private Optional<IstioCaConfig> load(String yaml) throws Exception {
        Path file = Files.writeString(dir.resolve("server.yaml"), yaml);
        return ServerConfigLoader.apply(file, ServerConfig.builder()).build().istioCa();
    }

    @Test
    void documentedBlock_isRead() throws Exception {
        IstioCaConfig c = load("""
                istioCa:
                  address: 0.0.0.0
                  port: 15012
                  servingDnsNames: [meshca.meshca-system.svc]
                  defaultTtl: 24h
                  maxTtl: 48h
                  trustedIssuers:
                    - issuer: https://kubernetes.default.svc.cluster.local
                      jwksFile: /etc/meshca/k8s-jwks.json
                      audiences: [istio-ca]
                    - issuer: https://oidc.example.com/cluster-2
                      jwksURL: https://oidc.example.com/cluster-2/keys
                """).orElseThrow();

        assertThat(c.address()).isEqualTo("0.0.0.0");
        assertThat(c.port()).isEqualTo(15012);
        assertThat(c.servingDnsNames()).containsExactly("meshca.meshca-system.svc");
        assertThat(c.defaultTtl()).isEqualTo(Duration.ofHours(24));
        assertThat(c.maxTtl()).isEqualTo(Duration.ofHours(48));
        assertThat(c.trustedIssuers())
                .containsExactly(
                        new IstioCaConfig.TrustedIssuer(
                                "https://kubernetes.default.svc.cluster.local",
                                Path.of("/etc/meshca/k8s-jwks.json"),
                                null,
                                List.of("istio-ca")),
                        new IstioCaConfig.TrustedIssuer(
                                "https://oidc.example.com/cluster-2",
                                null,
                                URI.create("https://oidc.example.com/cluster-2/keys"),
                                List.of("istio-ca")));
    }

    @Test
    void omittedKeys_takeTheirDefaults() throws Exception {
        IstioCaConfig c = load("""
                istioCa:
                  servingDnsNames: [meshca.meshca-system.svc]
                """).orElseThrow();

        assertThat(c.address()).isEqualTo("0.0.0.0");
        assertThat(c.port()).isEqualTo(15012);
        assertThat(c.configuredDefaultTtl()).isEmpty();
        assertThat(c.maxTtl()).isEqualTo(IstioCaConfig.DEFAULT_MAX_TTL);
        assertThat(c.trustedIssuers()).isEmpty();
    }

    @Test
    void withoutTheBlock_thereIsNoListener() throws Exception {
        assertThat(load("trustDomain: example.org\n")).isEmpty();
    }

    static Stream<Arguments> invalidBlocks() {
        return Stream.of(
                Arguments.of("unknown key", """
                        istioCa:
                          servingDnsNames: [meshca.svc]
                          listenPort: 15012
                        """, "unknown config key \"istioCa.listenPort\""),
                Arguments.of("unknown issuer key", """
                        istioCa:
                          servingDnsNames: [meshca.svc]
                          trustedIssuers: [{issuer: https://k8s, jwksFile: k.json, audience: istio-ca}]
                        """, "unknown config key \"istioCa.trustedIssuers.[0].audience\""),
                Arguments.of(
                        "both jwksFile and jwksURL",
                        """
                        istioCa:
                          servingDnsNames: [meshca.svc]
                          trustedIssuers: [{issuer: https://k8s, jwksFile: k.json, jwksURL: "https://k8s/keys"}]
                        """,
                        "istioCa.trustedIssuers[https://k8s] needs exactly one of jwksFile and jwksURL"),
                Arguments.of(
                        "neither jwksFile nor jwksURL",
                        """
                        istioCa:
                          servingDnsNames: [meshca.svc]
                          trustedIssuers: [{issuer: https://k8s}]
                        """,
                        "istioCa.trustedIssuers[https://k8s] needs exactly one of jwksFile and jwksURL"),
                Arguments.of("plain http jwksURL", """
                        istioCa:
                          servingDnsNames: [meshca.svc]
                          trustedIssuers: [{issuer: https://k8s, jwksURL: "http://k8s/keys"}]
                        """, "jwksURL must be an https:// URL"),
                Arguments.of("no issuer", """
                        istioCa:
                          servingDnsNames: [meshca.svc]
                          trustedIssuers: [{jwksFile: k.json}]
                        """, "istioCa.trustedIssuers[].issuer is required"),
                Arguments.of("issuer twice", """
                        istioCa:
                          servingDnsNames: [meshca.svc]
                          trustedIssuers: [{issuer: https://k8s, jwksFile: a.json}, {issuer: https://k8s, jwksFile: b.json}]
                        """, "issuer https://k8s is listed twice"),
                Arguments.of("empty audiences", """
                        istioCa:
                          servingDnsNames: [meshca.svc]
                          trustedIssuers: [{issuer: https://k8s, jwksFile: a.json, audiences: []}]
                        """, "audiences must list at least one"),
                Arguments.of("no serving DNS names", """
                        istioCa:
                          port: 15012
                        """, "istioCa.servingDnsNames needs at least one DNS name"),
                Arguments.of("URL as DNS name", """
                        istioCa:
                          servingDnsNames: ["https://meshca.svc:15012"]
                        """, "is not a DNS name"),
                Arguments.of("port out of range", """
                        istioCa:
                          servingDnsNames: [meshca.svc]
                          port: 70000
                        """, "istioCa.port must be between 0 and 65535"),
                Arguments.of(
                        "default above max", """
                        istioCa:
                          servingDnsNames: [meshca.svc]
                          defaultTtl: 48h
                          maxTtl: 24h
                        """, "istioCa.defaultTtl (PT48H) is longer than istioCa.maxTtl (PT24H)"),
                Arguments.of(
                        "server default above max",
                        """
                        defaultX509SvidTtl: 2h
                        istioCa:
                          servingDnsNames: [meshca.svc]
                          maxTtl: 1h
                        """,
                        "istioCa.maxTtl (PT1H) is shorter than defaultX509SvidTtl (PT2H)"),
                Arguments.of("bad duration", """
                        istioCa:
                          servingDnsNames: [meshca.svc]
                          maxTtl: 2 days
                        """, "istioCa.maxTtl: invalid duration '2 days'"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidBlocks")
    void invalidBlock_isRefusedNamingTheProblem(String why, String yaml, String message) {
        assertThatThrownBy(() -> load(yaml))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining(message);
    }
}
