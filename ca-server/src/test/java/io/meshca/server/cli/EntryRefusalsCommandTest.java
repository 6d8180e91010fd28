package io.meshca.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshca.common.spiffe.JwtAudiences;
import io.meshca.server.registration.EntryStore;
import io.meshca.server.registration.EntryValidator;
import io.meshca.server.testing.TestServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the server refuses in an entry or a request comes out of the CLI as one line, exit code 1. */
class EntryRefusalsCommandTest {

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
        String[] all = Arrays.copyOf(args, args.length + 2);
        all[args.length] = "-socketPath";
        all[args.length + 1] = server.adminSocketPath().toString();
        return ServerMain.execute(all, new PrintWriter(out, true), new PrintWriter(err, true));
    }

    private String errLine() {
        assertThat(err.toString().lines().filter(l -> !l.isBlank())).hasSize(1);
        return err.toString().strip();
    }

    private static String entryId(String output) {
        return output.lines()
                .filter(l -> l.startsWith("Entry ID"))
                .findFirst()
                .orElseThrow()
                .split(":", 2)[1]
                .trim();
    }

    @Test
    void createdTwice_isRefusedNamingTheFirstEntry() {
        String[] create = {
            "entry",
            "create",
            "-parentID",
            "spiffe://example.org/node",
            "-spiffeID",
            "spiffe://example.org/dup",
            "-selector",
            "unix:uid:1000",
            "-selector",
            "unix:gid:1000"
        };
        assertThat(run(create)).isZero();
        String first = entryId(out.toString());

        assertThat(run(create)).isEqualTo(1);
        assertThat(errLine()).contains("ALREADY_EXISTS").endsWith(EntryStore.DUPLICATE + first);
    }

    @Test
    void selectorNoAttestorProduces_isRefusedWithTheKnownTypes() {
        assertThat(run(
                        "entry",
                        "create",
                        "-parentID",
                        "spiffe://example.org/node",
                        "-spiffeID",
                        "spiffe://example.org/root",
                        "-selector",
                        "uid:0"))
                .isEqualTo(1);
        assertThat(errLine())
                .contains("INVALID_ARGUMENT")
                .contains(
                        "invalid selector \"uid:0\": unknown selector type \"uid\"; known types are aws_iid, azure_msi, join_token, k8s, k8s_psat, unix, x509pop");
    }

    @Test
    void entryThatIsItsOwnParent_isRefused() {
        assertThat(run(
                        "entry",
                        "create",
                        "-parentID",
                        "spiffe://example.org/loop",
                        "-spiffeID",
                        "spiffe://example.org/loop",
                        "-selector",
                        "unix:uid:1"))
                .isEqualTo(1);
        assertThat(errLine()).contains(EntryValidator.OWN_PARENT);
    }

    @Test
    void jwtMintWithTooManyAudiences_isRefusedNamingTheLimit() {
        List<String> args = new ArrayList<>(List.of("jwt", "mint", "-spiffeID", "spiffe://example.org/batch"));
        for (int i = 0; i <= JwtAudiences.MAX_COUNT; i++) {
            args.addAll(List.of("-audience", "aud" + i));
        }

        assertThat(run(args.toArray(String[]::new))).isEqualTo(1);
        assertThat(errLine()).contains("INVALID_ARGUMENT").contains("at most 32 audiences per JWT-SVID, got 33");
    }
}
