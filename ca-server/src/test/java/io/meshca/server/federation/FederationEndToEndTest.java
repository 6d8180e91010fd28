package io.meshca.server.federation;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshca.common.bundle.JwtAuthority;
import io.meshca.common.bundle.SpiffeBundleCodec;
import io.meshca.common.spiffe.TrustDomain;
import io.meshca.server.cli.ServerMainAccess;
import io.meshca.server.config.FederationConfig;
import io.meshca.server.testing.TestServer;
import io.meshca.server.testing.WebServingFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two servers on loopback, federated both ways over their bundle endpoints: a.test serves https_web
 * (a certificate from files), b.test serves https_spiffe (its own SVID). Relationships are created
 * with the CLI, as an operator would.
 */
class FederationEndToEndTest {

    private static final TrustDomain A = TrustDomain.parse("a.test");
    private static final TrustDomain B = TrustDomain.parse("b.test");

    @TempDir
    Path dir;

    private TestServer a;
    private TestServer b;

    @AfterEach
    void stop() {
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
    }

    private static TestServer start(Path dir, TrustDomain td, FederationConfig.Endpoint endpoint) throws Exception {
        return TestServer.start(TestServer.config(dir.resolve(td.name()))
                .trustDomain(td)
                .federation(FederationConfig.NONE.withEndpoint(endpoint))
                .build());
    }

    @Test
    void bothProfiles_fetchTheOtherDomainsBundle_andAFailingEndpointKeepsTheLastGoodOne() throws Exception {
        WebServingFiles web = WebServingFiles.write(dir);
        Path cert = web.certificate();
        Path key = web.key();
        Path webCaFile = web.caFile();

        a = start(dir, A, new FederationConfig.Endpoint("127.0.0.1", 0, cert, key, Duration.ofSeconds(5)));
        b = start(dir, B, new FederationConfig.Endpoint("127.0.0.1", 0, null, null, Duration.ofSeconds(5)));
        Path bBundle = Files.writeString(dir.resolve("b.pem"), b.trustBundlePem());

        // b.test fetches a.test's bundle over https_web, trusting the web CA file
        assertThat(cli(
                        b,
                        "federation",
                        "create",
                        "-trustDomain",
                        "a.test",
                        "-bundleEndpointURL",
                        "https://localhost:" + a.bundleEndpointPort().orElseThrow() + "/",
                        "-bundleEndpointProfile",
                        "https_web",
                        "-trustedCAFile",
                        webCaFile.toString()))
                .isZero();
        // a.test fetches b.test's over https_spiffe, bootstrapped with b's bundle from a file
        assertThat(cli(
                        a,
                        "federation",
                        "create",
                        "-trustDomain",
                        "b.test",
                        "-bundleEndpointURL",
                        "https://127.0.0.1:" + b.bundleEndpointPort().orElseThrow() + "/",
                        "-bundleEndpointProfile",
                        "https_spiffe",
                        "-endpointSpiffeID",
                        "spiffe://b.test/meshca/server",
                        "-trustDomainBundlePath",
                        bBundle.toString()))
                .isZero();

        assertThat(cli(a, "federation", "refresh", "-trustDomain", "b.test")).isZero();
        assertThat(cli(b, "federation", "refresh", "-trustDomain", "a.test")).isZero();
        assertThat(a.admin().federatedBundle(B).orElseThrow().x509Authorities()).isEqualTo(b.trustBundle());
        assertThat(b.admin().federatedBundle(A).orElseThrow().x509Authorities()).isEqualTo(a.trustBundle());
        assertThat(b.admin().federatedBundle(A).orElseThrow().refreshHint()).isEqualTo(Duration.ofSeconds(5));
        // the endpoint serves the JWT keys too, under their kid
        assertThat(b.admin().federatedBundle(A).orElseThrow().jwtAuthorities())
                .extracting(JwtAuthority::keyId)
                .isNotEmpty()
                .isSubsetOf(a.admin().bundle().jwtAuthorities().stream()
                        .map(JwtAuthority::keyId)
                        .toList());
        assertThat(cli(a, "federation", "list")).isZero();

        // a.test's endpoint claimed as x.test's: its CAs name a.test, so the document is refused, never merged
        assertThat(cli(
                        b,
                        "federation",
                        "create",
                        "-trustDomain",
                        "x.test",
                        "-bundleEndpointURL",
                        "https://localhost:" + a.bundleEndpointPort().orElseThrow() + "/",
                        "-trustedCAFile",
                        webCaFile.toString()))
                .isZero();
        assertThat(cli(b, "federation", "refresh", "-trustDomain", "x.test")).isNotZero();
        assertThat(ServerMainAccess.lastErr()).contains(SpiffeBundleCodec.X5C_OTHER_DOMAIN);
        assertThat(b.admin().federatedBundle(TrustDomain.parse("x.test"))).isEmpty();

        List<X509Certificate> bRoots = b.trustBundle();
        b.close();
        assertThat(cli(a, "federation", "refresh", "-trustDomain", "b.test")).isNotZero();
        assertThat(a.admin().federatedBundle(B).orElseThrow().x509Authorities()).isEqualTo(bRoots);
    }

    @Test
    void httpsSpiffe_refusesAnEndpointWithAnotherSpiffeId() throws Exception {
        b = start(dir, B, new FederationConfig.Endpoint("127.0.0.1", 0, null, null, Duration.ofSeconds(5)));
        a = start(dir, A, null);
        Path bBundle = Files.writeString(dir.resolve("b.pem"), b.trustBundlePem());

        assertThat(cli(
                        a,
                        "federation",
                        "create",
                        "-trustDomain",
                        "b.test",
                        "-bundleEndpointURL",
                        "https://127.0.0.1:" + b.bundleEndpointPort().orElseThrow() + "/",
                        "-bundleEndpointProfile",
                        "https_spiffe",
                        "-endpointSpiffeID",
                        "spiffe://b.test/not-the-server",
                        "-trustDomainBundlePath",
                        bBundle.toString()))
                .isZero();
        assertThat(cli(a, "federation", "refresh", "-trustDomain", "b.test")).isNotZero();
        assertThat(ServerMainAccess.lastErr()).contains("cannot fetch the bundle of b.test");
    }

    @Test
    void httpsSpiffe_withoutABundleToStartFrom_isRefused() throws Exception {
        a = start(dir, A, null);

        assertThat(cli(
                        a,
                        "federation",
                        "create",
                        "-trustDomain",
                        "b.test",
                        "-bundleEndpointURL",
                        "https://127.0.0.1:1/",
                        "-bundleEndpointProfile",
                        "https_spiffe",
                        "-endpointSpiffeID",
                        "spiffe://b.test/meshca/server"))
                .isNotZero();
        assertThat(ServerMainAccess.lastErr()).contains("needs a bundle of b.test");
        assertThat(a.admin().federationRelationships()).isEmpty();
    }

    private static int cli(TestServer server, String... args) {
        return ServerMainAccess.run(server.adminSocketPath(), args);
    }
}
