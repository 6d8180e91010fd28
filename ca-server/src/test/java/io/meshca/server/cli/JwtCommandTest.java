package io.meshca.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jwt.SignedJWT;
import io.meshca.common.bundle.JwtAuthority;
import io.meshca.common.grpc.UnixSockets;
import io.meshca.common.pki.Keys;
import io.meshca.proto.server.v1.BundlesGrpc;
import io.meshca.proto.server.v1.GetBundleRequest;
import io.meshca.proto.server.v1.JwtKey;
import io.meshca.server.ca.jwt.JwtKeyType;
import io.meshca.server.testing.TestServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JwtCommandTest {

    @TempDir
    static Path dir;

    private static TestServer server;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start(dir);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private int run(String... args) {
        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
        return ServerMain.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
    }

    private JwtKey publishedKey() {
        var channel = UnixSockets.channel(
                UnixSockets.parseAddress(server.adminSocketPath().toString()));
        try {
            var bundle = BundlesGrpc.newBlockingStub(channel).getBundle(GetBundleRequest.getDefaultInstance());
            assertThat(bundle.getJwtAuthoritiesList()).hasSize(1);
            return bundle.getJwtAuthorities(0);
        } finally {
            UnixSockets.shutdown(channel);
        }
    }

    @Test
    void mint_printsATokenSignedByTheKeyInTheBundle() throws Exception {
        String socket = server.adminSocketPath().toString();

        assertThat(run(
                        "jwt",
                        "mint",
                        "-spiffeID",
                        "spiffe://example.org/batch",
                        "-audience",
                        "billing",
                        "-audience",
                        "reports",
                        "-ttl",
                        "120",
                        "-socketPath",
                        socket))
                .isZero();

        String token = out.toString().trim();
        assertThat(token.lines()).hasSize(1);
        SignedJWT jwt = SignedJWT.parse(token);
        JwtKey key = publishedKey();
        assertThat(jwt.getHeader().getKeyID()).isEqualTo(key.getKeyId());
        assertThat(jwt.verify(new ECDSAVerifier(
                        (ECPublicKey) Keys.parsePublicKey(key.getPublicKey().toByteArray()))))
                .isTrue();
        var claims = jwt.getJWTClaimsSet();
        assertThat(claims.getSubject()).isEqualTo("spiffe://example.org/batch");
        assertThat(claims.getAudience()).containsExactly("billing", "reports");
        assertThat(claims.getExpirationTime().toInstant().getEpochSecond()
                        - claims.getIssueTime().toInstant().getEpochSecond())
                .isEqualTo(120);
        assertThat(claims.getExpirationTime().toInstant()).isAfter(Instant.now());
    }

    @Test
    void rs256Server_mintsRs256Tokens() throws Exception {
        try (TestServer rsa = TestServer.start(TestServer.config(dir.resolve("rsa"))
                .jwtKeyType(JwtKeyType.RS256)
                .build())) {
            JwtAuthority current = rsa.admin().bundle().jwtAuthorities().get(0);
            assertThat(run(
                            "jwt",
                            "mint",
                            "-spiffeID",
                            "spiffe://example.org/batch",
                            "-audience",
                            "billing",
                            "-socketPath",
                            rsa.adminSocketPath().toString()))
                    .isZero();

            SignedJWT jwt = SignedJWT.parse(out.toString().trim());
            assertThat(jwt.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.RS256);
            assertThat(jwt.getHeader().getKeyID()).isEqualTo(current.keyId());
            assertThat(jwt.verify(new RSASSAVerifier((RSAPublicKey) current.publicKey())))
                    .isTrue();
        }
    }

    @Test
    void mint_withoutAudience_isRefusedNamingTheOption() {
        assertThat(run(
                        "jwt",
                        "mint",
                        "-spiffeID",
                        "spiffe://example.org/batch",
                        "-socketPath",
                        server.adminSocketPath().toString()))
                .isEqualTo(2);
        assertThat(err.toString()).contains("-audience");
    }

    @Test
    void mint_forAnotherTrustDomain_isRefusedByTheServer() {
        assertThat(run(
                        "jwt",
                        "mint",
                        "-spiffeID",
                        "spiffe://other.org/x",
                        "-audience",
                        "a",
                        "-socketPath",
                        server.adminSocketPath().toString()))
                .isNotZero();
        assertThat(err.toString()).contains("not in trust domain example.org");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void mint_withATtlPastTheMaximum_isRefused() {
        assertThat(run(
                        "jwt",
                        "mint",
                        "-spiffeID",
                        "spiffe://example.org/batch",
                        "-audience",
                        "a",
                        "-ttl",
                        "90000",
                        "-socketPath",
                        server.adminSocketPath().toString()))
                .isNotZero();
        assertThat(err.toString()).contains("JWT-SVID TTL must be between 1 second and 24 hours");
    }
}
