package io.meshca.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jwt.SignedJWT;
import io.meshca.agent.api.WorkloadApiEndpoint;
import io.meshca.agent.cache.TrustBundle;
import io.meshca.agent.cache.X509Snapshot;
import io.meshca.agent.endpoint.UnixSocketServer;
import io.meshca.agent.jwt.ForgedTokens;
import io.meshca.agent.jwt.JwtSvidCache;
import io.meshca.agent.jwt.JwtSvidFetcher;
import io.meshca.agent.jwt.JwtSvidValidator;
import io.meshca.agent.testing.FakeWorkloadIdentitySource;
import io.meshca.common.spiffe.Selector;
import io.meshca.common.spiffe.SelectorSet;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code api fetch jwt} and {@code api validate jwt} against a real socket, a fake cache and a test signing key. */
class JwtCommandsTest {

    private static final Selector ORDERS = Selector.parse("unix:java-main:io.demo.Orders");
    private static final FakeWorkloadIdentitySource.Pki PKI = FakeWorkloadIdentitySource.pki();

    @TempDir
    Path dir;

    private UnixSocketServer server;
    private Path socket;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeEach
    void serve() {
        TrustBundle own = new TrustBundle(
                FakeWorkloadIdentitySource.DOMAIN,
                List.of(PKI.root().certificate()),
                1,
                ForgedTokens.bundle().jwtAuthorities());
        var source = new FakeWorkloadIdentitySource(
                ORDERS, new X509Snapshot(List.of(PKI.svid("/orders", "")), own, Map.of()));
        JwtSvidFetcher caServer = (entryId, audience) -> {
            Map<String, Object> claims = ForgedTokens.claims(Instant.now().getEpochSecond());
            claims.put("aud", audience);
            return new JwtSvidFetcher.Token(
                    ForgedTokens.es256(ForgedTokens.EC_KID, claims), Instant.ofEpochSecond((Long) claims.get("exp")));
        };
        socket = dir.resolve("agent/api.sock");
        server = UnixSocketServer.start(
                socket,
                List.of(WorkloadApiEndpoint.service(
                        source,
                        pid -> SelectorSet.of(ORDERS),
                        new JwtSvidCache(caServer, Clock.systemUTC(), 10),
                        new JwtSvidValidator(Clock.systemUTC()))));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private int run(String... args) {
        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
        @CommandLine.Command(
                name = "agent",
                subcommands = {ApiCommand.class})
        class Root {}
        CommandLine commandLine = new CommandLine(new Root());
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        return commandLine.execute(args);
    }

    private String fetchToken() throws Exception {
        assertThat(run("api", "fetch", "jwt", "-audience", "payments,audit", "-socketPath", socket.toString()))
                .as(err.toString())
                .isZero();
        String[] lines = out.toString().split("\n");
        assertThat(lines[0]).isEqualTo("token(spiffe://example.org/orders):");
        return lines[1].trim();
    }

    @Test
    void fetchJwt_printsTheTokenAndTheJwtBundles() throws Exception {
        String token = fetchToken();

        assertThat(SignedJWT.parse(token).getJWTClaimsSet().getAudience())
                .containsExactlyInAnyOrder("payments", "audit");
        String[] lines = out.toString().split("\n");
        assertThat(lines[2]).isEqualTo("bundle(spiffe://example.org):");
        assertThat(lines[3]).contains("\"kid\":\"" + ForgedTokens.EC_KID + "\"", "\"use\":\"jwt-svid\"");
    }

    @Test
    void validateJwt_ofAFetchedToken_printsTheIdAndClaims() throws Exception {
        String token = fetchToken();

        assertThat(run(
                        "api",
                        "validate",
                        "jwt",
                        "-audience",
                        "audit",
                        "-svid",
                        token,
                        "-socketPath",
                        socket.toString()))
                .as(err.toString())
                .isZero();

        assertThat(out.toString())
                .startsWith("SVID is valid.\nSPIFFE ID : spiffe://example.org/orders\nClaims    : {")
                .contains("\"aud\":[\"audit\",\"payments\"]", "\"sub\":\"spiffe://example.org/orders\"")
                .containsPattern("\"exp\":\\d+,");
    }

    @Test
    void validateJwt_forAnotherAudience_failsWithOneLineSayingWhy() throws Exception {
        String token = fetchToken();

        assertThat(run(
                        "api",
                        "validate",
                        "jwt",
                        "-audience",
                        "billing",
                        "-svid",
                        token,
                        "-socketPath",
                        socket.toString()))
                .isEqualTo(1);
        assertThat(err.toString())
                .isEqualTo("error: validating the JWT-SVID: the Workload API refused the call "
                        + "(INVALID_ARGUMENT: JWT-SVID audience does not contain \"billing\")\n");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void fetchJwt_withoutAudience_isAUsageError_andForAnIdentityNotHeld_isRefused() {
        assertThat(run("api", "fetch", "jwt", "-socketPath", socket.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("-audience");

        assertThat(run(
                        "api",
                        "fetch",
                        "jwt",
                        "-audience",
                        "a",
                        "-spiffeID",
                        "spiffe://example.org/payments",
                        "-socketPath",
                        socket.toString()))
                .isEqualTo(1);
        assertThat(err.toString())
                .isEqualTo("error: fetching JWT-SVIDs: the Workload API refused the call "
                        + "(PERMISSION_DENIED: no identity issued for spiffe://example.org/payments)\n");
    }
}
