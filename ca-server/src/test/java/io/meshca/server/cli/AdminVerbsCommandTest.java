package io.meshca.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meshca.server.testing.AgentApiClient;
import io.meshca.server.testing.TestServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SPIRE's count, purge and logger verbs and -output json, against one running server. */
class AdminVerbsCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PARENT = "spiffe://example.org/host/node-1";

    @TempDir
    static Path dir;

    private static TestServer server;
    private static String agentId;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start(dir);
        String token = server.generateJoinToken(Duration.ofMinutes(5), Optional.empty());
        try (AgentApiClient agentApi = new AgentApiClient(server)) {
            agentId = agentApi.attest(token).id().toString();
        }
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private int run(String... args) {
        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
        String[] all = Arrays.copyOf(args, args.length + 2);
        all[args.length] = "-socketPath";
        all[args.length + 1] = server.adminSocketPath().toString();
        return ServerMain.execute(all, new PrintWriter(out, true), new PrintWriter(err, true));
    }

    private JsonNode json() throws Exception {
        return JSON.readTree(out.toString());
    }

    @Test
    void entryCount_andShow_filterByHintAndFederatesWith() throws Exception {
        assertThat(run(
                        "entry",
                        "create",
                        "-parentID",
                        PARENT,
                        "-spiffeID",
                        "spiffe://example.org/count/a",
                        "-selector",
                        "unix:uid:7001",
                        "-hint",
                        "blue",
                        "-federatesWith",
                        "partner.org"))
                .as(err.toString())
                .isZero();
        assertThat(run(
                        "entry",
                        "create",
                        "-parentID",
                        PARENT,
                        "-spiffeID",
                        "spiffe://example.org/count/b",
                        "-selector",
                        "unix:uid:7002"))
                .isZero();

        assertThat(run("entry", "count", "-parentID", PARENT)).isZero();
        assertThat(out.toString()).isEqualTo("2 registration entries\n");
        assertThat(run("entry", "count", "-parentID", PARENT, "-hint", "blue", "-output", "json"))
                .isZero();
        assertThat(json().get("count").asLong()).isEqualTo(1);
        assertThat(run("entry", "show", "-federatesWith", "spiffe://partner.org", "-output", "json"))
                .isZero();
        assertThat(json().get("entries")).hasSize(1);
        assertThat(json().get("entries").get(0).get("spiffe_id").asText()).isEqualTo("spiffe://example.org/count/a");
        assertThat(run("entry", "show", "-hint", "blue")).isZero();
        assertThat(out.toString()).startsWith("Found 1 entry").contains("spiffe://example.org/count/a");
    }

    @Test
    void agentCount_listAndShowAsJson() throws Exception {
        assertThat(run("agent", "count")).isZero();
        assertThat(out.toString()).isEqualTo("1 attested agent\n");
        assertThat(run("agent", "count", "-output", "json")).isZero();
        assertThat(json().get("count").asLong()).isEqualTo(1);
        assertThat(run("agent", "list", "-output", "json")).isZero();
        assertThat(json().get("agents").get(0).get("spiffe_id").asText()).isEqualTo(agentId);
        assertThat(run("agent", "show", "-spiffeID", agentId, "-output", "json"))
                .isZero();
        assertThat(json().get("banned").asBoolean()).isFalse();
        assertThat(json().get("attestation_type").asText()).isEqualTo("join_token");
    }

    @Test
    void agentPurge_leavesAgentsWithAValidSvid() throws Exception {
        assertThat(run("agent", "purge", "-dryRun")).isZero();
        assertThat(out.toString()).isEqualTo("No agents expired more than 30d ago\n");
        assertThat(run("agent", "purge", "-expiredFor", "1h", "-dryRun")).isZero();
        assertThat(out.toString()).isEqualTo("No agents expired more than 1h ago\n");
        assertThat(run("agent", "purge", "-expiredFor", "1h", "-output", "json"))
                .isZero();
        assertThat(json().get("agents")).isEmpty();
        assertThat(run("agent", "count")).isZero();
        assertThat(out.toString()).isEqualTo("1 attested agent\n");
    }

    @Test
    void agentPurge_needsAPositiveDuration() {
        assertThat(run("agent", "purge", "-expiredFor", "0")).isEqualTo(2);
        assertThat(err.toString()).contains("-expiredFor");
    }

    @Test
    void bundleCount_andFederationListAsJson() throws Exception {
        assertThat(run("bundle", "count")).isZero();
        assertThat(out.toString()).isEqualTo("0 federated bundles\n");
        assertThat(run("bundle", "count", "-output", "json")).isZero();
        assertThat(json().get("count").asLong()).isZero();
        assertThat(run("bundle", "show", "-output", "json")).isZero();
        assertThat(json().get("trust_domain").asText()).isEqualTo("example.org");
        assertThat(run("federation", "list", "-output", "json")).isZero();
        assertThat(json().get("relationships")).isEmpty();
    }

    @Test
    void loggerGetAndSet() throws Exception {
        assertThat(run("logger", "get", "-output", "json")).isZero();
        String launch = json().get("launch_level").asText();
        String other = launch.equals("debug") ? "warn" : "debug";
        try {
            assertThat(run("logger", "set", "-level", other)).isZero();
            assertThat(out.toString()).isEqualTo("Logger Level : " + other + "\nLaunch Level : " + launch + "\n");
            assertThat(run("logger", "get")).isZero();
            assertThat(out.toString()).startsWith("Logger Level : " + other + "\n");
        } finally {
            run("logger", "set", "-level", launch);
        }
        assertThat(run("logger", "set", "-level", "loud")).isEqualTo(2);
        assertThat(err.toString())
                .isEqualTo("unsupported -level \"loud\" (supported: trace, debug, info, warn, error)\n");
    }

    @Test
    void unsupportedOutput_isRefusedNamingTheFormats() {
        assertThat(run("agent", "list", "-output", "yaml")).isEqualTo(2);
        assertThat(err.toString()).isEqualTo("unsupported -output \"yaml\" (supported: pretty, json)\n");
    }

    @Test
    void validate_acceptsAGoodConfig_andNamesTheProblemOfABadPluginBlock(@TempDir Path configDir) throws Exception {
        Path data = configDir.resolve("data");
        Path good = configDir.resolve("good.yaml");
        Files.writeString(
                good,
                "trustDomain: example.org\ndataDir: " + data + "\n"
                        + "plugins:\n  keyManager:\n    disk:\n      directory: " + data.resolve("keys") + "\n");
        Path bad = configDir.resolve("bad.yaml");
        Files.writeString(bad, "trustDomain: example.org\nplugins:\n  keyManager:\n    disk:\n      dir: /x\n");
        Path missingFiles = configDir.resolve("upstream.yaml");
        Files.writeString(
                missingFiles,
                "trustDomain: example.org\nplugins:\n  upstreamAuthority:\n    disk:\n"
                        + "      certFile: " + configDir.resolve("none.pem") + "\n      keyFile: "
                        + configDir.resolve("none.key") + "\n");

        assertThat(ServerMain.execute(
                        new String[] {"validate", "-config", good.toString()},
                        new PrintWriter(out, true),
                        new PrintWriter(err, true)))
                .isZero();
        assertThat(out.toString()).isEqualTo("config " + good + " is valid\n");
        assertThat(data).doesNotExist();

        StringWriter badErr = new StringWriter();
        assertThat(ServerMain.execute(
                        new String[] {"validate", "-config", bad.toString()},
                        new PrintWriter(new StringWriter(), true),
                        new PrintWriter(badErr, true)))
                .isEqualTo(1);
        assertThat(badErr.toString())
                .startsWith(bad + ": unknown config key \"plugins.keyManager.disk.dir\"")
                .hasLineCount(1);

        StringWriter upstreamErr = new StringWriter();
        assertThat(ServerMain.execute(
                        new String[] {"validate", "-config", missingFiles.toString()},
                        new PrintWriter(new StringWriter(), true),
                        new PrintWriter(upstreamErr, true)))
                .isEqualTo(1);
        assertThat(upstreamErr.toString()).contains("none.pem").hasLineCount(1);
    }

    @Test
    void validate_badTopLevelValue_isOneLine(@TempDir Path configDir) throws Exception {
        Path config = configDir.resolve("server.yaml");
        Files.writeString(config, "trustDomain: example.org\nserverPort: 70000\n");
        StringWriter e = new StringWriter();

        assertThat(ServerMain.execute(
                        new String[] {"validate", "-config", config.toString()},
                        new PrintWriter(new StringWriter(), true),
                        new PrintWriter(e, true)))
                .isEqualTo(1);
        assertThat(e.toString())
                .contains("serverPort must be between 0 and 65535")
                .hasLineCount(1);
    }
}
