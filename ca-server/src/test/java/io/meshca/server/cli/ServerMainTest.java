package io.meshca.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.meshca.common.spiffe.Selector;
import io.meshca.common.spiffe.SelectorSet;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.server.testing.AgentApiClient;
import io.meshca.server.testing.TestServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerMainTest {

    @TempDir
    Path dir;

    private TestServer server;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private int run(String... args) {
        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
        return ServerMain.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
    }

    private String socket() throws Exception {
        if (server == null) {
            server = TestServer.start(dir);
        }
        return server.adminSocketPath().toString();
    }

    private static long lines(String s) {
        return s.lines().filter(l -> !l.isBlank()).count();
    }

    @Test
    void unknownFlag_isOneLineNamingIt() {
        assertThat(run("entry", "create", "-bogus", "x")).isNotZero();
        assertThat(err.toString()).contains("-bogus");
        assertThat(lines(err.toString())).isEqualTo(1);
    }

    @Test
    void invalidSpiffeId_isOneLineNamingTheOptionAndRule() {
        assertThat(run(
                        "entry",
                        "create",
                        "-parentID",
                        "http://example.org/x",
                        "-spiffeID",
                        "spiffe://example.org/web",
                        "-selector",
                        "unix:uid:1"))
                .isEqualTo(2);
        assertThat(err.toString()).contains("-parentID").contains("scheme is missing or invalid");
        assertThat(lines(err.toString())).isEqualTo(1);
    }

    @Test
    void invalidSelector_isOneLineNamingTheProblem() {
        assertThat(run(
                        "entry",
                        "create",
                        "-parentID",
                        "spiffe://example.org/n",
                        "-spiffeID",
                        "spiffe://example.org/web",
                        "-selector",
                        "nocolon"))
                .isEqualTo(2);
        assertThat(err.toString()).contains("-selector").contains("a selector has the form type:value");
        assertThat(lines(err.toString())).isEqualTo(1);
    }

    @Test
    void missingRequiredOption_isNamed() {
        assertThat(run("entry", "create", "-spiffeID", "spiffe://example.org/web", "-selector", "unix:uid:1"))
                .isEqualTo(2);
        assertThat(err.toString()).contains("-parentID");
    }

    @Test
    void unreachableServer_isOneLineSayingSo() {
        assertThat(run(
                        "healthcheck",
                        "-socketPath",
                        dir.resolve("nothing/api.sock").toString()))
                .isEqualTo(1);
        assertThat(err.toString())
                .isEqualTo("the admin socket " + dir.resolve("nothing/api.sock")
                        + " does not exist (is the server running? start it with `meshca server run`)\n");
        assertThat(lines(err.toString())).isEqualTo(1);
    }

    @Test
    void unknownConfigKey_isNamedWithTheFile() throws Exception {
        Path config = dir.resolve("server.yaml");
        Files.writeString(config, "trustDomain: example.org\nbogusKey: 1\n");

        assertThat(run("run", "-config", config.toString(), "-serverPort", "0")).isEqualTo(1);
        assertThat(err.toString()).contains("unknown config key \"bogusKey\"").contains(config.toString());
    }

    @Test
    void adminCommands_againstARunningServer() throws Exception {
        String socket = socket();

        assertThat(run("healthcheck", "-socketPath", socket)).isZero();
        assertThat(out.toString()).contains("Server is healthy.");

        assertThat(run("token", "generate", "-spiffeID", "spiffe://example.org/node1", "-socketPath", socket))
                .isZero();
        assertThat(out.toString()).matches("Token: [A-Za-z0-9_-]{43}\\R");

        assertThat(run(
                        "entry",
                        "create",
                        "-parentID",
                        "spiffe://example.org/node1",
                        "-spiffeID",
                        "spiffe://example.org/web",
                        "-selector",
                        "unix:uid:1000",
                        "-selector",
                        "unix:gid:1000",
                        "-dns",
                        "web.local",
                        "-x509SVIDTTL",
                        "120",
                        "-socketPath",
                        socket))
                .isZero();
        assertThat(out.toString()).contains("SPIFFE ID        : spiffe://example.org/web");
        String entryId = out.toString()
                .lines()
                .filter(l -> l.startsWith("Entry ID"))
                .findFirst()
                .orElseThrow()
                .split(":", 2)[1]
                .trim();

        assertThat(run("entry", "show", "-socketPath", socket)).isZero();
        assertThat(out.toString())
                .startsWith("Found 2 entries")
                .contains(entryId)
                .contains("unix:gid:1000,unix:uid:1000");

        assertThat(run(
                        "entry",
                        "show",
                        "-spiffeID",
                        "spiffe://example.org/web",
                        "-output",
                        "json",
                        "-socketPath",
                        socket))
                .isZero();
        assertThat(out.toString()).contains("\"id\" : \"" + entryId + "\"").contains("\"x509_svid_ttl\" : 120");

        assertThat(run("bundle", "show", "-socketPath", socket)).isZero();
        assertThat(out.toString()).isEqualTo(server.trustBundlePem());

        assertThat(run("agent", "list", "-socketPath", socket)).isZero();
        assertThat(out.toString()).startsWith("Found 0 attested agents");

        assertThat(run("entry", "delete", "-entryID", entryId, "-socketPath", socket))
                .isZero();
        assertThat(run("entry", "delete", "-entryID", entryId, "-socketPath", socket))
                .isEqualTo(1);
        assertThat(err.toString()).contains("NOT_FOUND").contains("no entry with id " + entryId);
    }

    @Test
    void auditVerify_reportsAnIntactChain_andATamperedRow() throws Exception {
        String socket = socket();
        run("token", "generate", "-socketPath", socket);
        server.close();
        server = null;

        assertThat(run("audit", "verify", "-dataDir", dir.resolve("data").toString()))
                .isZero();
        assertThat(out.toString()).startsWith("audit log intact: ");

        try (var c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("data/datastore.sqlite3"));
                var s = c.createStatement()) {
            s.executeUpdate("UPDATE audit_log SET actor = 'someone else' WHERE seq = 1");
        }
        assertThat(run("audit", "verify", "-dataDir", dir.resolve("data").toString()))
                .isEqualTo(1);
        assertThat(err.toString()).contains("audit row 1").contains("altered");
    }

    @Test
    void bundleShow_spiffeFormat_isAJwksWithTheX509Authority() throws Exception {
        String socket = socket();

        assertThat(run("bundle", "show", "-format", "spiffe", "-socketPath", socket))
                .isZero();
        var json = new ObjectMapper().readTree(out.toString());
        var key = json.get("keys").get(0);
        assertThat(key.get("use").asText()).isEqualTo("x509-svid");
        assertThat(key.get("kty").asText()).isEqualTo("EC");
        assertThat(key.get("crv").asText()).isEqualTo("P-256");
        assertThat(key.has("kid")).isFalse();
        assertThat(Base64.getDecoder().decode(key.get("x5c").get(0).asText()))
                .isEqualTo(server.trustBundle().get(0).getEncoded());
        assertThat(json.get("spiffe_sequence").asLong()).isPositive();

        assertThat(run("bundle", "show", "-format", "der", "-socketPath", socket))
                .isEqualTo(2);
        assertThat(err.toString()).contains("unsupported -format \"der\"");
    }

    @Test
    void entryUpdate_replacesTheEntry() throws Exception {
        String socket = socket();
        String id = server.createEntry(
                        SpiffeId.parse("spiffe://example.org/web"),
                        SpiffeId.parse("spiffe://example.org/n"),
                        SelectorSet.of(Selector.parse("unix:uid:1")),
                        Duration.ZERO)
                .id();

        assertThat(run(
                        "entry",
                        "update",
                        "-entryID",
                        id,
                        "-parentID",
                        "spiffe://example.org/n",
                        "-spiffeID",
                        "spiffe://example.org/web2",
                        "-selector",
                        "unix:uid:2",
                        "-socketPath",
                        socket))
                .isZero();
        assertThat(out.toString())
                .contains("SPIFFE ID        : spiffe://example.org/web2")
                .contains("unix:uid:2");
        assertThat(server.admin().getEntry(id).spiffeId().toString()).isEqualTo("spiffe://example.org/web2");
    }

    @Test
    void agentListShowBanEvict() throws Exception {
        String socket = socket();
        String token = server.generateJoinToken(Duration.ofMinutes(5), Optional.empty());
        String agentId;
        try (AgentApiClient agentApi = new AgentApiClient(server)) {
            agentId = agentApi.attest(token).id().toString();
        }

        assertThat(run("agent", "list", "-socketPath", socket)).isZero();
        assertThat(out.toString()).startsWith("Found 1 attested agent:").contains(agentId);
        assertThat(run("agent", "ban", "-spiffeID", agentId, "-socketPath", socket))
                .isZero();
        assertThat(run("agent", "show", "-spiffeID", agentId, "-socketPath", socket))
                .isZero();
        assertThat(out.toString()).contains("Banned            : true");
        assertThat(run("agent", "evict", "-spiffeID", agentId, "-socketPath", socket))
                .isZero();
        assertThat(run("agent", "show", "-spiffeID", agentId, "-socketPath", socket))
                .isEqualTo(1);
        assertThat(err.toString()).contains("NOT_FOUND");
    }

    @Test
    void invalidEntry_isRefusedByTheServer_andNothingIsCreated() throws Exception {
        String socket = socket();

        assertThat(run(
                        "entry",
                        "create",
                        "-parentID",
                        "spiffe://example.org/n",
                        "-spiffeID",
                        "spiffe://other.org/web",
                        "-selector",
                        "unix:uid:1",
                        "-socketPath",
                        socket))
                .isEqualTo(1);
        assertThat(err.toString())
                .contains("spiffeId spiffe://other.org/web is not in the server's trust domain example.org");
        assertThat(run("entry", "show", "-socketPath", socket)).isZero();
        assertThat(out.toString()).startsWith("Found 0 entries");
    }
}
