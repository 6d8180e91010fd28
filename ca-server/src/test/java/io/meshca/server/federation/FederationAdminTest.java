package io.meshca.server.federation;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshca.common.pki.Pem;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.common.spiffe.TrustDomain;
import io.meshca.common.testing.TestPki;
import io.meshca.server.cli.ServerMainAccess;
import io.meshca.server.config.FederationConfig;
import io.meshca.server.model.FederationRelationship;
import io.meshca.server.testing.TestServer;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Relationships from the config file and through the CLI (nothing is fetched successfully here). */
class FederationAdminTest {

    private static final TrustDomain B = TrustDomain.parse("b.test");

    @TempDir
    Path dir;

    private TestServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private TestServer start(FederationConfig federation) throws Exception {
        server = TestServer.start(TestServer.config(dir)
                .trustDomain(TrustDomain.parse("a.test"))
                .federation(federation)
                .build());
        return server;
    }

    private int cli(String... args) {
        return ServerMainAccess.run(server.adminSocketPath(), args);
    }

    @Test
    void aConfiguredRelationship_isStoredWithItsBootstrapBundle() throws Exception {
        var root = TestPki.root(B).certificate();
        Path bundle = Files.writeString(dir.resolve("b.pem"), Pem.encodeCertificates(List.of(root)));
        FederationRelationship rel = new FederationRelationship(
                B,
                URI.create("https://127.0.0.1:1/"),
                FederationRelationship.Profile.HTTPS_SPIFFE,
                SpiffeId.parse("spiffe://b.test/meshca/server"),
                null);

        start(new FederationConfig(
                null,
                List.of(new FederationConfig.Configured(rel, bundle)),
                Duration.ofSeconds(30),
                Duration.ofMinutes(5)));

        assertThat(server.admin().federationRelationships()).containsExactly(rel);
        assertThat(server.admin().federatedBundle(B).orElseThrow().x509Authorities())
                .containsExactly(root);
    }

    @Test
    void createShowUpdateDelete_throughTheCli() throws Exception {
        start(FederationConfig.NONE);

        assertThat(cli("federation", "create", "-trustDomain", "b.test", "-bundleEndpointURL", "https://127.0.0.1:1/"))
                .isZero();
        assertThat(cli("federation", "create", "-trustDomain", "b.test", "-bundleEndpointURL", "https://127.0.0.1:1/"))
                .isNotZero();
        assertThat(ServerMainAccess.lastErr()).contains("exists already");

        assertThat(cli("federation", "update", "-trustDomain", "b.test", "-bundleEndpointURL", "https://127.0.0.1:2/b"))
                .isZero();
        assertThat(server.admin().federationRelationship(B).orElseThrow().bundleEndpointUrl())
                .isEqualTo(URI.create("https://127.0.0.1:2/b"));
        assertThat(cli("federation", "show", "-trustDomain", "b.test")).isZero();

        assertThat(cli("federation", "delete", "-trustDomain", "b.test")).isZero();
        assertThat(server.admin().federationRelationships()).isEmpty();
        assertThat(cli("federation", "show", "-trustDomain", "b.test")).isNotZero();
        assertThat(ServerMainAccess.lastErr()).contains("no federation relationship with b.test");
    }

    @Test
    void aRelationshipWithTheOwnTrustDomain_isRefused() throws Exception {
        start(FederationConfig.NONE);

        assertThat(cli("federation", "create", "-trustDomain", "a.test", "-bundleEndpointURL", "https://127.0.0.1:1/"))
                .isNotZero();
        assertThat(ServerMainAccess.lastErr()).contains("this server's own");
    }
}
