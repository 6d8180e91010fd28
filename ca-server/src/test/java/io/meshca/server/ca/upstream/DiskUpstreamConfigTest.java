package io.meshca.server.ca.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshca.common.error.InvalidArgumentException;
import io.meshca.common.plugin.PluginConfig;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.common.spiffe.TrustDomain;
import io.meshca.common.testing.FakeClock;
import io.meshca.common.testing.TestPki;
import io.meshca.server.ca.upstream.CorporatePki.Ca;
import io.meshca.server.ca.upstream.CorporatePki.Profile;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcePEMEncryptorBuilder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** What the {@code disk} upstream authority refuses at load, and how it says so: the key, the file, the problem. */
class DiskUpstreamConfigTest {

    private static final String BLOCK = "plugins.upstreamAuthority.disk";
    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    private static final Instant YEAR_AGO = NOW.minus(Duration.ofDays(365));
    private static final Instant YEAR_AHEAD = NOW.plus(Duration.ofDays(365));

    @TempDir
    Path dir;

    private final FakeClock clock = new FakeClock(NOW);
    private Ca root;
    private Ca issuing;
    private Path certFile;
    private Path keyFile;
    private Path bundleFile;

    @BeforeEach
    void goodFiles() {
        root = CorporatePki.root("Example Root CA", YEAR_AGO, NOW.plus(Duration.ofDays(3650)));
        issuing = root.issuingCa("Example Issuing CA", YEAR_AGO, YEAR_AHEAD);
        certFile = CorporatePki.writeCertificates(dir.resolve("upstream.pem"), issuing.certificate());
        keyFile = CorporatePki.writePkcs8Key(dir.resolve("upstream.key"), issuing.keyPair());
        bundleFile = CorporatePki.writeCertificates(dir.resolve("roots.pem"), root.certificate());
    }

    private Map<String, Object> settings() {
        Map<String, Object> settings = new HashMap<>();
        settings.put("certFile", certFile.toString());
        settings.put("keyFile", keyFile.toString());
        if (bundleFile != null) {
            settings.put("bundleFile", bundleFile.toString());
        }
        return settings;
    }

    private DiskUpstreamAuthority create(Map<String, Object> settings) {
        return DiskUpstreamAuthority.create(new PluginConfig(BLOCK, settings), clock);
    }

    @Test
    void goodFiles_load() {
        assertThat(create(settings()).x509Roots()).containsExactly(root.certificate());
    }

    @Test
    void certFileAndKeyFile_areRequired_andUnknownKeysRefused() {
        Map<String, Object> noCert = settings();
        noCert.remove("certFile");
        Map<String, Object> noKey = settings();
        noKey.remove("keyFile");
        Map<String, Object> unknown = settings();
        unknown.put("caFile", "x.pem");

        assertThatThrownBy(() -> create(noCert))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageStartingWith(BLOCK + ".certFile is required");
        assertThatThrownBy(() -> create(noKey)).hasMessageStartingWith(BLOCK + ".keyFile is required");
        assertThatThrownBy(() -> create(unknown))
                .hasMessage("unknown config key \"" + BLOCK + ".caFile\" (known keys here: bundleFile, certFile,"
                        + " keyFile)");
    }

    /** One broken thing per case: what to break, which key the message names, and what it says. */
    static Stream<Arguments> brokenFiles() {
        return Stream.<Arguments>of(
                broken("a missing certFile", "certFile", "no such file", t -> delete(t.certFile)),
                broken("a missing keyFile", "keyFile", "no such file", t -> delete(t.keyFile)),
                broken("a missing bundleFile", "bundleFile", "no such file", t -> delete(t.bundleFile)),
                broken("a directory as certFile", "certFile", "cannot be read", t -> {
                    delete(t.certFile);
                    mkdir(t.certFile);
                }),
                broken(
                        "text that is not PEM",
                        "certFile",
                        "no PEM CERTIFICATE block found",
                        t -> CorporatePki.write(t.certFile, "hello\n")),
                broken(
                        "a DER certificate",
                        "certFile",
                        "is not text",
                        t -> write(t.certFile, new byte[] {0x30, (byte) 0x82, (byte) 0xff, (byte) 0xfe, (byte) 0xc3})),
                broken(
                        "a key file without a key",
                        "keyFile",
                        "no private key found",
                        t -> CorporatePki.writeCertificates(t.keyFile, t.issuing.certificate())),
                broken(
                        "two keys in the key file",
                        "keyFile",
                        "holds 2 private keys",
                        t -> CorporatePki.write(
                                t.keyFile,
                                read(t.keyFile)
                                        + read(CorporatePki.writeTraditionalKey(
                                                t.dir.resolve("other.key"), t.root.keyPair())))),
                broken(
                        "an encrypted key",
                        "keyFile",
                        "the private key is encrypted",
                        t -> CorporatePki.write(t.keyFile, encrypted(t.issuing))),
                broken(
                        "another CA's key",
                        "keyFile",
                        "does not match the signing certificate",
                        t -> CorporatePki.writePkcs8Key(t.keyFile, t.root.keyPair())),
                broken(
                        "an RSA key for an EC certificate",
                        "keyFile",
                        "does not match",
                        t -> CorporatePki.writePkcs8Key(t.keyFile, CorporatePki.rsaKey())),
                broken(
                        "a leaf as the signing certificate",
                        "certFile",
                        "is not a CA",
                        t -> useIssuing(t, new Profile(new BasicConstraints(false), KeyUsage.digitalSignature))),
                broken(
                        "a CA without keyCertSign",
                        "certFile",
                        "keyUsage keyCertSign is missing",
                        t -> useIssuing(t, new Profile(new BasicConstraints(true), KeyUsage.cRLSign))),
                broken(
                        "a CA with pathLen 0",
                        "certFile",
                        "pathLenConstraint 0",
                        t -> useIssuing(t, Profile.caWithPathLen(0))),
                broken(
                        "an expired signing CA",
                        "certFile",
                        "expired at " + NOW.minusSeconds(60),
                        t -> useIssuing(t, Profile.CA, YEAR_AGO, NOW.minusSeconds(60))),
                broken(
                        "a signing CA not valid yet",
                        "certFile",
                        "is not valid until",
                        t -> useIssuing(t, Profile.CA, NOW.plusSeconds(60), YEAR_AHEAD)),
                broken(
                        "a chain in the wrong order",
                        "certFile",
                        "did not sign certificate 1",
                        t -> CorporatePki.writeCertificates(t.certFile, t.root.certificate(), t.issuing.certificate())),
                broken(
                        "a chain that misses its root, without bundleFile",
                        "certFile",
                        "or set bundleFile",
                        t -> t.bundleFile = null),
                broken(
                        "a bundle of another PKI",
                        "certFile",
                        "no certificate in " + BLOCK + ".bundleFile",
                        t -> CorporatePki.writeCertificates(
                                t.bundleFile, otherRoot().certificate())),
                broken(
                        "a chain ending at a root not in the bundle",
                        "certFile",
                        "which is not in " + BLOCK + ".bundleFile",
                        t -> {
                            CorporatePki.writeCertificates(t.certFile, t.issuing.certificate(), t.root.certificate());
                            CorporatePki.writeCertificates(
                                    t.bundleFile, otherRoot().certificate());
                        }),
                broken(
                        "a leaf in the bundle",
                        "bundleFile",
                        "is not a CA",
                        t -> CorporatePki.writeCertificates(
                                t.bundleFile,
                                t.root.certificate(),
                                TestPki.root(TrustDomain.parse("other.test"))
                                        .leaf(SpiffeId.parse("spiffe://other.test/x"))
                                        .certificate())),
                broken("an expired root", "bundleFile", "expired at", t -> {
                    Ca old = CorporatePki.root("Old Root CA", YEAR_AGO, NOW.minusSeconds(1));
                    Ca underIt = old.issuingCa("Issuing CA", YEAR_AGO, YEAR_AHEAD);
                    CorporatePki.writeCertificates(t.certFile, underIt.certificate());
                    CorporatePki.writePkcs8Key(t.keyFile, underIt.keyPair());
                    CorporatePki.writeCertificates(t.bundleFile, old.certificate());
                }));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenFiles")
    void brokenFiles_areRefused_namingTheKeyTheFileAndTheProblem(
            String what, String key, String problem, Consumer<DiskUpstreamConfigTest> breakIt) {
        breakIt.accept(this);
        Map<String, Object> settings = settings();
        Path file = Path.of((String) settings.get(key));

        assertThatThrownBy(() -> create(settings))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageStartingWith(BLOCK + "." + key + " (" + file + "): ")
                .hasMessageContaining(problem);
    }

    @Test
    void aCorruptKey_isRefused_withoutQuotingIt() throws Exception {
        String pem = Files.readString(keyFile);
        String body = pem.split("\n")[1];
        String corrupt = pem.replace(body, new StringBuilder(body).reverse().toString());
        CorporatePki.write(keyFile, corrupt);

        assertThatThrownBy(() -> create(settings()))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageStartingWith(BLOCK + ".keyFile (" + keyFile + "): ")
                .hasMessageNotContaining(body.substring(8, 24))
                .hasMessageNotContaining(new StringBuilder(body).reverse().substring(8, 24))
                .satisfies(e -> assertThat(e.getCause()).isNull());
    }

    private static Arguments broken(String what, String key, String problem, Consumer<DiskUpstreamConfigTest> breakIt) {
        return Arguments.of(what, key, problem, breakIt);
    }

    /** The signing CA replaced by one with the given profile, with a matching key. */
    private static void useIssuing(DiskUpstreamConfigTest t, Profile profile) {
        useIssuing(t, profile, YEAR_AGO, YEAR_AHEAD);
    }

    private static void useIssuing(DiskUpstreamConfigTest t, Profile profile, Instant notBefore, Instant notAfter) {
        Ca ca = t.root.issue("Odd Issuing CA", TestPki.keyPair(), profile, notBefore, notAfter);
        CorporatePki.writeCertificates(t.certFile, ca.certificate());
        CorporatePki.writePkcs8Key(t.keyFile, ca.keyPair());
    }

    private static Ca otherRoot() {
        return CorporatePki.root("Other Root CA", YEAR_AGO, YEAR_AHEAD);
    }

    private static String encrypted(Ca ca) {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            writer.writeObject(
                    ca.keyPair(),
                    new JcePEMEncryptorBuilder("AES-256-CBC")
                            .setProvider(new BouncyCastleProvider())
                            .build("secret".toCharArray()));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return text.toString();
    }

    private static void delete(Path file) {
        try {
            Files.delete(file);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void mkdir(Path file) {
        try {
            Files.createDirectory(file);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void write(Path file, byte[] bytes) {
        try {
            Files.write(file, bytes);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
