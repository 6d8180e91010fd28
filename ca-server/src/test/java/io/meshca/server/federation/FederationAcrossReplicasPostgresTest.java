package io.meshca.server.federation;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshca.common.bundle.JwtAuthority;
import io.meshca.common.bundle.SpiffeBundle;
import io.meshca.common.spiffe.TrustDomain;
import io.meshca.server.config.FederationConfig;
import io.meshca.server.model.FederationRelationship;
import io.meshca.server.testing.TestPostgres;
import io.meshca.server.testing.TestServer;
import io.meshca.server.testing.WebServingFiles;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two replicas on one PostgreSQL database (MESHCA_TEST_POSTGRES_URL; skipped when unset): a federation
 * relationship created on one is scheduled on the other without a restart. The replica that created it
 * is stopped before the foreign bundle changes, so only the other can have fetched the change.
 */
class FederationAcrossReplicasPostgresTest {

    private static final String SCHEMA = "meshca_federation_replicas";
    private static final TrustDomain FOREIGN = TrustDomain.parse("foreign.test");
    private static final Duration WAIT = Duration.ofSeconds(30);
    /** Fetch often: the test waits for a refresh after the foreign bundle changed. */
    private static final FederationConfig FREQUENT =
            new FederationConfig(null, List.of(), Duration.ofSeconds(1), Duration.ofSeconds(1));

    @TempDir
    Path dir;

    private TestServer foreign;
    private TestServer first;
    private TestServer second;

    @BeforeAll
    static void requirePostgres() {
        TestPostgres.require("federation relationships across PostgreSQL replicas");
    }

    @AfterEach
    void stop() {
        for (TestServer s : new TestServer[] {first, second, foreign}) {
            if (s != null) {
                s.close();
            }
        }
        TestPostgres.dropSchema(SCHEMA);
    }

    @Test
    void aRelationshipCreatedOnOneReplica_isRefreshedByTheOther() throws Exception {
        WebServingFiles web = WebServingFiles.write(dir);
        foreign = TestServer.start(TestServer.config(dir.resolve("foreign"))
                .trustDomain(FOREIGN)
                .federation(FederationConfig.NONE.withEndpoint(new FederationConfig.Endpoint(
                        "127.0.0.1", 0, web.certificate(), web.key(), Duration.ofSeconds(1))))
                .build());
        String url = TestPostgres.freshSchema(SCHEMA);
        first = TestServer.start(TestServer.config(dir.resolve("first"))
                .databaseUrl(url)
                .federation(FREQUENT)
                .build());
        second = TestServer.start(TestServer.config(dir.resolve("second"))
                .databaseUrl(url)
                .federation(FREQUENT)
                .build());

        first.admin()
                .createFederationRelationship(
                        new FederationRelationship(
                                FOREIGN,
                                URI.create("https://localhost:"
                                        + foreign.bundleEndpointPort().orElseThrow() + "/"),
                                FederationRelationship.Profile.HTTPS_WEB,
                                null,
                                web.caFile()),
                        Optional.empty());
        first.close();
        first = null;

        String kid = foreign.publishJwtKey();
        SpiffeBundle refreshed = poll(() -> second.admin()
                .federatedBundle(FOREIGN)
                .filter(b ->
                        b.jwtAuthorities().stream().map(JwtAuthority::keyId).anyMatch(kid::equals))
                .orElse(null));
        assertThat(refreshed.trustDomain()).isEqualTo(FOREIGN);
    }

    private static <T> T poll(java.util.function.Supplier<T> probe) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            T value = probe.get();
            if (value != null) {
                return value;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the other replica did not refresh the foreign bundle within " + WAIT);
    }
}
