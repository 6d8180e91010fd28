package io.meshca.server.ca.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.meshca.common.spiffe.SpiffeId;
import io.meshca.common.spiffe.TrustDomain;
import io.meshca.common.testing.FakeClock;
import io.meshca.common.testing.TestPki;
import io.meshca.server.ca.keys.MemoryKeyManager;
import io.meshca.server.ca.keys.SigningKey;
import io.meshca.server.ca.signing.SvidRequest;
import io.meshca.server.ca.signing.X509Authority;
import io.meshca.server.ca.signing.X509SvidSigner;
import io.meshca.server.ca.upstream.CorporatePki.Ca;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXCertPathValidatorResult;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * An X509-SVID signed by a CA that {@code disk} minted under a corporate PKI validates up to the
 * corporate root, with the JDK's PKIX validator and with {@code openssl verify}; its chain carries the
 * leaf, meshca's CA and the upstream intermediates, never the root.
 */
class UpstreamChainVerificationTest {

    private static final TrustDomain TD = TrustDomain.parse("example.org");
    private static final SpiffeId WEB = SpiffeId.parse("spiffe://example.org/web");
    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    private static final Instant YEAR_AGO = NOW.minus(Duration.ofDays(365));

    @TempDir
    Path dir;

    private final FakeClock clock = new FakeClock(NOW);
    private Ca root;

    /** How deep the corporate PKI is above meshca's CA, and how its files are handed over. */
    enum Shape {
        /** The root itself signs meshca's CA: nothing between them. */
        ROOT_SIGNS(0, false),
        /** root → issuing CA; certFile holds the issuing CA, bundleFile the root. */
        ONE_ISSUING_CA(1, true),
        /** root → policy CA → issuing CA; certFile holds both CAs, bundleFile the root. */
        TWO_LEVELS(2, true),
        /** root → policy CA → issuing CA; certFile holds all three, and there is no bundleFile. */
        TWO_LEVELS_ROOT_IN_CERT_FILE(2, false);

        final int intermediates;
        final boolean bundleFile;

        Shape(int intermediates, boolean bundleFile) {
            this.intermediates = intermediates;
            this.bundleFile = bundleFile;
        }
    }

    @BeforeEach
    void corporateRoot() {
        root = CorporatePki.root("Example Root CA", YEAR_AGO, NOW.plus(Duration.ofDays(3650)));
    }

    /** Writes the corporate PKI of {@code shape} and returns the plugin reading it; upstream CAs issuer-first. */
    private DiskUpstreamAuthority upstream(Shape shape, List<X509Certificate> intermediates) {
        Ca signing = root;
        for (int i = 0; i < shape.intermediates; i++) {
            signing = signing.issuingCa("Example CA level " + (i + 1), YEAR_AGO, NOW.plus(Duration.ofDays(730)));
            intermediates.add(0, signing.certificate());
        }
        List<X509Certificate> certFile =
                new ArrayList<>(intermediates.isEmpty() ? List.of(root.certificate()) : intermediates);
        if (shape == Shape.TWO_LEVELS_ROOT_IN_CERT_FILE) {
            certFile.add(root.certificate());
        }
        Path cert =
                CorporatePki.writeCertificates(dir.resolve("upstream.pem"), certFile.toArray(new X509Certificate[0]));
        Path key = CorporatePki.writePkcs8Key(dir.resolve("upstream.key"), signing.keyPair());
        Path bundle =
                shape.bundleFile ? CorporatePki.writeCertificates(dir.resolve("roots.pem"), root.certificate()) : null;
        return new DiskUpstreamAuthority(new UpstreamFiles("plugins.upstreamAuthority.disk", cert, key, bundle), clock);
    }

    private List<X509Certificate> svidChain(DiskUpstreamAuthority upstream, MintedX509Ca minted, SigningKey caKey) {
        X509Authority authority = new X509Authority(minted.certificate(), caKey, minted.upstreamChain());
        X509SvidSigner signer = new X509SvidSigner(() -> authority, clock);
        return signer.sign(new SvidRequest(WEB, TestPki.keyPair().getPublic(), List.of(), Duration.ofHours(1)));
    }

    @ParameterizedTest
    @EnumSource(Shape.class)
    void theSvidChain_isLeaf_ca_upstreamIntermediates_withoutTheRoot(Shape shape) {
        List<X509Certificate> intermediates = new ArrayList<>();
        DiskUpstreamAuthority upstream = upstream(shape, intermediates);
        SigningKey caKey = new MemoryKeyManager().generate("ca");
        MintedX509Ca minted = upstream.mintX509Ca(TD, caKey, Duration.ofHours(24));

        List<X509Certificate> chain = svidChain(upstream, minted, caKey);

        List<X509Certificate> expectedAboveLeaf = new ArrayList<>();
        expectedAboveLeaf.add(minted.certificate());
        expectedAboveLeaf.addAll(intermediates);
        assertThat(chain).hasSize(1 + expectedAboveLeaf.size());
        assertThat(chain.subList(1, chain.size())).containsExactlyElementsOf(expectedAboveLeaf);
        assertThat(chain).doesNotContain(root.certificate());
        assertThat(upstream.x509Roots()).containsExactly(root.certificate());
    }

    @ParameterizedTest
    @EnumSource(Shape.class)
    void theSvidChain_validatesToTheCorporateRoot_withPkix(Shape shape) throws Exception {
        DiskUpstreamAuthority upstream = upstream(shape, new ArrayList<>());
        SigningKey caKey = new MemoryKeyManager().generate("ca");
        List<X509Certificate> chain = svidChain(upstream, upstream.mintX509Ca(TD, caKey, Duration.ofHours(24)), caKey);

        Set<TrustAnchor> anchors = new HashSet<>();
        for (X509Certificate r : upstream.x509Roots()) {
            anchors.add(new TrustAnchor(r, null));
        }
        PKIXParameters parameters = new PKIXParameters(anchors);
        parameters.setRevocationEnabled(false);
        parameters.setDate(Date.from(NOW.plusSeconds(60)));
        PKIXCertPathValidatorResult result = (PKIXCertPathValidatorResult) CertPathValidator.getInstance("PKIX")
                .validate(CertificateFactory.getInstance("X.509").generateCertPath(chain), parameters);

        assertThat(result.getTrustAnchor().getTrustedCert()).isEqualTo(root.certificate());
    }

    @ParameterizedTest
    @EnumSource(Shape.class)
    void theSvidChain_validatesToTheCorporateRoot_withOpensslVerify(Shape shape) throws Exception {
        assumeTrue(opensslIsInstalled(), "openssl is not installed");
        DiskUpstreamAuthority upstream = upstream(shape, new ArrayList<>());
        SigningKey caKey = new MemoryKeyManager().generate("ca");
        List<X509Certificate> chain = svidChain(upstream, upstream.mintX509Ca(TD, caKey, Duration.ofHours(24)), caKey);
        Path roots = CorporatePki.writeCertificates(
                dir.resolve("root.pem"), upstream.x509Roots().toArray(new X509Certificate[0]));
        Path untrusted = CorporatePki.writeCertificates(
                dir.resolve("chain.pem"), chain.subList(1, chain.size()).toArray(new X509Certificate[0]));
        Path leaf = CorporatePki.writeCertificates(dir.resolve("leaf.pem"), chain.get(0));

        Result verify = run(
                "openssl",
                "verify",
                "-x509_strict",
                "-attime",
                Long.toString(NOW.plusSeconds(60).getEpochSecond()),
                "-CAfile",
                roots.toString(),
                "-untrusted",
                untrusted.toString(),
                leaf.toString());

        assertThat(verify.output()).as(verify.output()).contains(leaf + ": OK");
        assertThat(verify.exitCode()).isZero();
    }

    private record Result(int exitCode, String output) {}

    private static boolean opensslIsInstalled() {
        try {
            return run("openssl", "version").exitCode() == 0;
        } catch (IOException e) {
            return false;
        }
    }

    private static Result run(String... command) throws IOException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        // read to the end first: the process exits once it has written everything
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException("timed out: " + String.join(" ", command));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        return new Result(process.exitValue(), output);
    }
}
