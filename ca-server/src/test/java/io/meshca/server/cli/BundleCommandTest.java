package io.meshca.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshca.common.bundle.SpiffeBundleCodec;
import io.meshca.common.pki.Certificates;
import io.meshca.common.pki.Pem;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.common.spiffe.TrustDomain;
import io.meshca.common.testing.TestPki;
import io.meshca.server.testing.TestServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** bundle list / set / delete against a running server. */
class BundleCommandTest {

    private static final TrustDomain OTHER = TrustDomain.parse("other.org");
    private static final TestPki.Authority OTHER_ROOT = TestPki.root(OTHER);
    private static final TestPki.Authority OTHER_ROOT_2 = TestPki.root(OTHER);

    @TempDir
    Path dir;

    private TestServer server;
    private String socket;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeEach
    void start() throws Exception {
        server = TestServer.start(dir);
        socket = server.adminSocketPath().toString();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private int run(String... args) {
        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
        String[] withSocket = Arrays.copyOf(args, args.length + 2);
        withSocket[args.length] = "-socketPath";
        withSocket[args.length + 1] = socket;
        return ServerMain.execute(withSocket, new PrintWriter(out, true), new PrintWriter(err, true));
    }

    private Path file(String name, String content) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, content);
        return p;
    }

    /** As another implementation would write it, from the standard (Appendix A), with extra members. */
    private static String handWritten(X509Certificate cert) {
        ECPublicKey ec = (ECPublicKey) cert.getPublicKey();
        return """
                {
                  "spiffe_refresh_hint": 600,
                  "spiffe_sequence": 42,
                  "keys": [
                    {
                      "use": "x509-svid",
                      "kty": "EC",
                      "crv": "P-256",
                      "x": "%s",
                      "y": "%s",
                      "x5c": ["%s"]
                    }
                  ]
                }
                """.formatted(
                        coord(ec.getW().getAffineX()),
                        coord(ec.getW().getAffineY()),
                        Base64.getEncoder().encodeToString(Certificates.der(cert)));
    }

    @Test
    void setSpiffeFormat_acceptsAHandWrittenDocument_andListShowsIt() throws Exception {
        Path doc = file("other.json", handWritten(OTHER_ROOT.certificate()));

        assertThat(run("bundle", "set", "-id", "spiffe://other.org", "-path", doc.toString(), "-format", "spiffe"))
                .isZero();
        assertThat(out.toString()).contains("spiffe://other.org").contains("1 X.509");

        assertThat(run("bundle", "list")).isZero();
        assertThat(out.toString())
                .contains("spiffe://other.org")
                .contains(Pem.encodeCertificates(List.of(OTHER_ROOT.certificate())));
        assertThat(run("bundle", "list", "-format", "spiffe")).isZero();
        assertThat(out.toString()).contains("\"spiffe_sequence\":42").contains("\"spiffe_refresh_hint\":600");
    }

    @Test
    void binaryFile_isNotAPemFile_norUtf8Text_andNothingIsStored() throws Exception {
        Path der = dir.resolve("other.der");
        Files.write(der, Certificates.der(OTHER_ROOT.certificate()));

        assertThat(run("bundle", "set", "-id", "spiffe://other.org", "-path", der.toString()))
                .isEqualTo(1);
        assertThat(err.toString().strip())
                .startsWith("bundle file " + der + " is not a PEM file")
                .doesNotContain("Input length")
                .doesNotContain("\n");
        assertThat(run("bundle", "set", "-id", "spiffe://other.org", "-path", der.toString(), "-format", "spiffe"))
                .isEqualTo(1);
        assertThat(err.toString().strip()).isEqualTo("bundle file " + der + " is not UTF-8 text");
        assertThat(run("bundle", "list")).isZero();
        assertThat(out.toString()).doesNotContain("spiffe://other.org");
    }

    @Test
    void malformedDocuments_areRefusedNamingTheProblem_andTheStoredBundleStays() throws Exception {
        Path good = file("good.pem", Pem.encodeCertificates(List.of(OTHER_ROOT.certificate())));
        assertThat(run("bundle", "set", "-id", "spiffe://other.org", "-path", good.toString()))
                .isZero();
        long revision = server.changeLogRevision();

        String twoCerts = handWritten(OTHER_ROOT.certificate())
                .replace(
                        "\"x5c\": [\"",
                        "\"x5c\": [\""
                                + Base64.getEncoder().encodeToString(Certificates.der(OTHER_ROOT_2.certificate()))
                                + "\", \"");
        X509Certificate leaf =
                OTHER_ROOT.leaf(SpiffeId.parse("spiffe://other.org/w")).certificate();
        String[][] cases = {
            {"{\"spiffe_sequence\": 1}", SpiffeBundleCodec.NO_KEYS},
            {twoCerts, SpiffeBundleCodec.X5C_NOT_ONE},
            {handWritten(leaf), SpiffeBundleCodec.X5C_NOT_CA},
        };
        for (String[] c : cases) {
            Path bad = file("bad.json", c[0]);
            assertThat(run("bundle", "set", "-id", "other.org", "-path", bad.toString(), "-format", "spiffe"))
                    .as(c[1])
                    .isNotZero();
            assertThat(err.toString()).contains(c[1]);
        }

        assertThat(server.changeLogRevision()).isEqualTo(revision);
        assertThat(server.admin().federatedBundle(OTHER).orElseThrow().x509Authorities())
                .containsExactly(OTHER_ROOT.certificate());
    }

    @Test
    void aCertThatIsNotACa_isRefusedByTheServerToo_evenInPem() throws Exception {
        X509Certificate leaf =
                OTHER_ROOT.leaf(SpiffeId.parse("spiffe://other.org/w")).certificate();
        Path pem = file("leaf.pem", Pem.encodeCertificates(List.of(leaf)));

        assertThat(run("bundle", "set", "-id", "other.org", "-path", pem.toString()))
                .isNotZero();
        assertThat(err.toString()).contains(SpiffeBundleCodec.X5C_NOT_CA);
        assertThat(server.admin().federatedBundles()).isEmpty();
    }

    @Test
    void settingTheOwnTrustDomain_isRefused() throws Exception {
        TestPki.Authority fake = TestPki.root(server.trustDomain());
        Path pem = file("own.pem", Pem.encodeCertificates(List.of(fake.certificate())));

        assertThat(run("bundle", "set", "-id", "spiffe://" + server.trustDomain(), "-path", pem.toString()))
                .isNotZero();
        assertThat(err.toString()).contains("this server's own");
        assertThat(server.admin().federatedBundles()).isEmpty();
    }

    @Test
    void delete_removesTheBundle_andAnUnknownOneIsNotFound() throws Exception {
        Path good = file("good.pem", Pem.encodeCertificates(List.of(OTHER_ROOT.certificate())));
        assertThat(run("bundle", "set", "-id", "other.org", "-path", good.toString()))
                .isZero();

        assertThat(run("bundle", "delete", "-id", "spiffe://other.org")).isZero();
        assertThat(server.admin().federatedBundles()).isEmpty();
        assertThat(run("bundle", "delete", "-id", "spiffe://other.org")).isNotZero();
        assertThat(err.toString()).contains("no federated bundle");
    }

    private static String coord(BigInteger value) {
        byte[] raw = value.toByteArray();
        byte[] bytes = new byte[32];
        int n = Math.min(raw.length, 32);
        System.arraycopy(raw, raw.length - n, bytes, 32 - n, n);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
