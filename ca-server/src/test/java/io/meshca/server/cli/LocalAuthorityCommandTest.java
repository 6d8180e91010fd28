package io.meshca.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meshca.common.pki.Pem;
import io.meshca.server.testing.TestServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SPIRE's localauthority, upstreamauthority and x509 mint verbs against a running server. */
class LocalAuthorityCommandTest {

    private static final Pattern AUTHORITY_ID = Pattern.compile("Authority ID: (\\S+)");

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
        String[] all = java.util.Arrays.copyOf(args, args.length + 2);
        all[args.length] = "-socketPath";
        all[args.length + 1] = server.adminSocketPath().toString();
        return ServerMain.execute(all, new PrintWriter(out, true), new PrintWriter(err, true));
    }

    private static String id(String output) {
        Matcher m = AUTHORITY_ID.matcher(output);
        assertThat(m.find()).as("an authority ID in:\n" + output).isTrue();
        return m.group(1);
    }

    @Test
    void x509_prepareActivateTaintRevoke_eachRuleRefusedInOneLine() throws Exception {
        assertThat(run("localauthority", "x509", "show")).isZero();
        assertThat(out.toString())
                .contains("Active X.509 authority:\n  Authority ID: ")
                .contains("Prepared X.509 authority:\n  No prepared X.509 authority found")
                .contains("Old X.509 authority:\n  No old X.509 authority found");
        String active = id(out.toString());
        assertThat(active).matches("[0-9a-f]{40}");

        assertThat(run("localauthority", "x509", "taint", "-authorityID", active))
                .isEqualTo(1);
        assertThat(err.toString().strip())
                .isEqualTo("FAILED_PRECONDITION: only an OLD X.509 authority can be tainted: " + active
                        + " is ACTIVE; prepare and activate a new authority first");
        assertThat(run("localauthority", "x509", "activate", "-authorityID", active))
                .isEqualTo(1);
        assertThat(err.toString()).contains("no X.509 authority is prepared; run prepare first");

        assertThat(run("localauthority", "x509", "prepare")).isZero();
        assertThat(out.toString()).startsWith("Prepared X.509 authority:\n  Authority ID: ");
        String prepared = id(out.toString());
        assertThat(server.admin().bundle().x509Authorities()).hasSize(2);

        assertThat(run("localauthority", "x509", "activate", "-authorityID", prepared))
                .isZero();
        assertThat(out.toString()).startsWith("Activated X.509 authority:\n  Authority ID: " + prepared);
        assertThat(run("localauthority", "x509", "revoke", "-authorityID", active))
                .isEqualTo(1);
        assertThat(err.toString()).contains("is not tainted; taint it first");

        assertThat(run("localauthority", "x509", "taint", "-authorityID", active))
                .isZero();
        assertThat(out.toString()).contains("Tainted X.509 authority:").contains("Tainted: true");
        assertThat(run("localauthority", "x509", "show", "-output", "json")).isZero();
        JsonNode shown = new ObjectMapper().readTree(out.toString());
        assertThat(shown.get("active").get("authority_id").asText()).isEqualTo(prepared);
        assertThat(shown.get("old").get(0).get("authority_id").asText()).isEqualTo(active);
        assertThat(shown.get("old").get(0).get("tainted").asBoolean()).isTrue();

        assertThat(run("localauthority", "x509", "revoke", "-authorityID", active))
                .isZero();
        assertThat(out.toString()).startsWith("Revoked X.509 authority:");
        assertThat(server.admin().bundle().x509Authorities()).hasSize(1);
    }

    @Test
    void jwt_followsTheSameRules() {
        assertThat(run("localauthority", "jwt", "prepare")).isZero();
        String prepared = id(out.toString());
        assertThat(run("localauthority", "jwt", "activate", "-authorityID", "nope"))
                .isEqualTo(1);
        assertThat(err.toString()).contains("only the prepared JWT authority can be activated");
        assertThat(run("localauthority", "jwt", "activate", "-authorityID", prepared))
                .isZero();
        assertThat(run("localauthority", "jwt", "show")).isZero();
        assertThat(out.toString()).contains("Active JWT authority:\n  Authority ID: " + prepared);
    }

    @Test
    void upstreamauthority_withoutAnUpstreamRoot_saysSo() {
        assertThat(run("upstreamauthority", "taint", "-subjectKeyID", "abcd")).isEqualTo(1);
        assertThat(err.toString().strip()).isEqualTo("NOT_FOUND: no upstream authority abcd in the bundle");
    }

    @Test
    void x509Mint_writesAnSvidThatVerifiesAgainstTheBundle_andAKeyOnlyTheOwnerReads() throws Exception {
        Path target = dir.resolve("minted");
        assertThat(run(
                        "x509",
                        "mint",
                        "-spiffeID",
                        "spiffe://example.org/batch",
                        "-ttl",
                        "10m",
                        "-dns",
                        "batch.example.org",
                        "-write",
                        target.toString()))
                .isZero();

        List<X509Certificate> chain = Pem.decodeCertificates(Files.readString(target.resolve("svid.pem")));
        List<X509Certificate> bundle = Pem.decodeCertificates(Files.readString(target.resolve("bundle.pem")));
        assertThat(chain.get(0).getSubjectAlternativeNames())
                .extracting(san -> (Object) san.get(1))
                .contains("spiffe://example.org/batch", "batch.example.org");
        PKIXParameters params = new PKIXParameters(
                bundle.stream().map(c -> new TrustAnchor(c, null)).collect(Collectors.toSet()));
        params.setRevocationEnabled(false);
        CertPathValidator.getInstance("PKIX")
                .validate(CertificateFactory.getInstance("X.509").generateCertPath(chain), params);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(target.resolve("key.pem"))))
                .isEqualTo("rw-------");
        assertThat(Pem.decodePrivateKey(Files.readString(target.resolve("key.pem"))))
                .isNotNull();

        assertThat(run("x509", "mint", "-spiffeID", "spiffe://other.org/x")).isEqualTo(1);
        assertThat(err.toString()).contains("is not in trust domain example.org");
    }
}
