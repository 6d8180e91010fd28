package io.meshca.samples.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshca.samples.SamplesMain;
import io.meshca.server.testing.TestPostgres;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code bench sync} end to end at a tiny scale against the tests' PostgreSQL (skipped, saying so, without
 * MESHCA_TEST_POSTGRES_URL): two real server processes, five simulated agents. Checks the shape of the
 * last line and that every figure is there and plausible, not how fast anything was.
 */
class SyncBenchCommandTest {

    private static final Pattern LAST_LINE = Pattern.compile("sync: entries=50 agents=5 replicas=2 cold_start_ms=(\\d+)"
            + " propagation_p99_ms=(\\d+) reconnect_ms=(\\d+) server_rss_mb=(\\d+)");

    private record Run(int exitCode, List<String> lines, String err) {}

    private static Run run(String... args) {
        CommandLine cli = SamplesMain.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        return new Run(code, out.toString().lines().toList(), err.toString());
    }

    @Test
    void tinySync_measuresEveryFigure_andDropsItsSchema() throws Exception {
        TestPostgres.require("bench sync");

        Run run = run(
                "bench",
                "sync",
                "-entries",
                "50",
                "-agents",
                "5",
                "-replicas",
                "2",
                "-changes",
                "10",
                "-rate",
                "50",
                "-timeout",
                "60s");

        assertThat(run.exitCode())
                .as(run.err() + String.join("\n", run.lines()))
                .isZero();
        String last = run.lines().get(run.lines().size() - 1);
        Matcher figures = LAST_LINE.matcher(last);
        assertThat(figures.matches()).as(last).isTrue();
        long coldStart = Long.parseLong(figures.group(1));
        long propagationP99 = Long.parseLong(figures.group(2));
        long reconnect = Long.parseLong(figures.group(3));
        long rss = Long.parseLong(figures.group(4));
        // a JVM that serves gRPC over TLS does not start in under 100 ms, nor fit in 20 MB
        assertThat(coldStart).isBetween(100L, 60_000L);
        assertThat(propagationP99).isBetween(0L, 60_000L);
        assertThat(reconnect).isBetween(0L, 60_000L);
        assertThat(rss).isBetween(20L, 16_384L);
        assertThat(run.lines())
                .anyMatch(l ->
                        l.matches("bench: propagation: 10 entries created .* 0 missing, 0 to a" + " wrong agent .*"));
        assertThat(run.lines())
                .anyMatch(l -> l.matches(
                        "bench: reconnect: .* after 10 changes .* received 10 entries \\(only what" + " changed\\)"));
        String schema = run.lines().get(0).replaceAll(".*schema (meshca_bench_sync_[0-9a-f]+);.*", "$1");
        assertThat(schemaExists(schema)).as(schema + " dropped").isFalse();
    }

    @Test
    void badFlags_areOneLineErrors_beforeAnythingStarts() {
        Run oneReplica = run("bench", "sync", "-replicas", "1");
        assertThat(oneReplica.exitCode()).isNotZero();
        assertThat(oneReplica.err()).contains("-replicas must be at least 2");

        Run fewEntries = run("bench", "sync", "-agents", "10", "-entries", "5");
        assertThat(fewEntries.exitCode()).isNotZero();
        assertThat(fewEntries.err()).contains("-entries must be at least -agents");
    }

    @Test
    void theBenchDatabase_isPreferred_thenTheTests_blankMeaningUnset() {
        String bench = "jdbc:postgresql://bench/db";
        String test = "jdbc:postgresql://test/db";

        assertThat(BenchSchema.configuredUrl(Map.of(BenchSchema.BENCH_URL_ENV, bench, BenchSchema.TEST_URL_ENV, test)))
                .contains(bench);
        assertThat(BenchSchema.configuredUrl(Map.of(BenchSchema.BENCH_URL_ENV, " ", BenchSchema.TEST_URL_ENV, test)))
                .contains(test);
        assertThat(BenchSchema.configuredUrl(Map.of())).isEmpty();
    }

    private static boolean schemaExists(String schema) throws Exception {
        try (Connection c = DriverManager.getConnection(TestPostgres.URL);
                ResultSet r = c.createStatement()
                        .executeQuery(
                                "SELECT 1 FROM information_schema.schemata WHERE schema_name = '" + schema + "'")) {
            return r.next();
        }
    }
}
