package io.meshca.server.ca.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshca.common.error.FailedPreconditionException;
import io.meshca.common.testing.TestPki;
import io.meshca.server.ca.keys.SigningKey;
import io.meshca.server.ca.signing.X509SvidSigner;
import io.meshca.server.ca.upstream.CorporatePki.Ca;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The {@code disk} upstream authority: the contract, the intermediate it mints, the chain and roots it
 * names, and how it follows its files as an operator rotates the upstream root.
 */
class DiskUpstreamAuthorityTest extends UpstreamAuthorityContractTest {

    private static final Instant YEAR_AGO = NOW.minus(Duration.ofDays(365));

    @TempDir
    Path dir;

    private Ca root;
    private Ca issuing;
    private Path certFile;
    private Path keyFile;
    private Path bundleFile;

    @BeforeEach
    void corporatePki() {
        root = CorporatePki.root("Example Root CA", YEAR_AGO, NOW.plus(Duration.ofDays(3650)));
        issuing = root.issuingCa("Example Issuing CA", YEAR_AGO, NOW.plus(Duration.ofDays(365)));
        certFile = CorporatePki.writeCertificates(dir.resolve("upstream.pem"), issuing.certificate());
        keyFile = CorporatePki.writePkcs8Key(dir.resolve("upstream.key"), issuing.keyPair());
        bundleFile = CorporatePki.writeCertificates(dir.resolve("roots.pem"), root.certificate());
    }

    @Override
    protected UpstreamAuthority authority(Clock clock) {
        return disk(bundleFile, clock);
    }

    private DiskUpstreamAuthority disk(Path bundle, Clock clock) {
        return new DiskUpstreamAuthority(
                new UpstreamFiles("plugins.upstreamAuthority.disk", certFile, keyFile, bundle), clock);
    }

    @Test
    void theCa_isAnIntermediate_thatSignsOnlyLeaves_underTheIssuingCa() throws Exception {
        SigningKey key = caKey("ca");

        X509Certificate ca = disk(bundleFile, clock).mintX509Ca(TD, key, TTL).certificate();

        ca.verify(issuing.certificate().getPublicKey());
        assertThat(ca.getIssuerX500Principal()).isEqualTo(issuing.certificate().getSubjectX500Principal());
        assertThat(ca.getBasicConstraints()).as("pathLen").isZero();
        assertThat(ca.getKeyUsage())
                .as("only keyCertSign and cRLSign")
                .containsExactly(false, false, false, false, false, true, true, false, false);
        assertThat(ca.getSubjectX500Principal().getName())
                .startsWith("CN=example.org intermediate ")
                .endsWith(",O=meshca");
        assertThat(ca.getSerialNumber().bitLength()).isGreaterThanOrEqualTo(64);
        assertThat(ca.getNotBefore().toInstant()).isEqualTo(NOW.minus(X509SvidSigner.BACKDATE));
        X509CertificateHolder holder = new X509CertificateHolder(ca.getEncoded());
        byte[] keyBits = SubjectPublicKeyInfo.getInstance(key.publicKey().getEncoded())
                .getPublicKeyData()
                .getBytes();
        assertThat(SubjectKeyIdentifier.fromExtensions(holder.getExtensions()).getKeyIdentifier())
                .isEqualTo(MessageDigest.getInstance("SHA-1").digest(keyBits));
        byte[] issuerSki = SubjectKeyIdentifier.fromExtensions(
                        new X509CertificateHolder(issuing.certificate().getEncoded()).getExtensions())
                .getKeyIdentifier();
        assertThat(AuthorityKeyIdentifier.fromExtensions(holder.getExtensions()).getKeyIdentifierOctets())
                .isEqualTo(issuerSki);
    }

    @Test
    void twoCas_ofOneTrustDomain_haveDifferentSubjects() {
        DiskUpstreamAuthority disk = disk(bundleFile, clock);

        X509Certificate a = disk.mintX509Ca(TD, caKey("a"), TTL).certificate();
        X509Certificate b = disk.mintX509Ca(TD, caKey("b"), TTL).certificate();

        assertThat(a.getSubjectX500Principal()).isNotEqualTo(b.getSubjectX500Principal());
    }

    /** Which files an operator hands over; each arranges them and returns the bundle file (or null). */
    enum Layout {
        ISSUING_CA_WITH_BUNDLE_FILE {
            @Override
            Path arrange(DiskUpstreamAuthorityTest t) {
                return t.bundleFile;
            }
        },
        CHAIN_TO_THE_ROOT_IN_CERT_FILE_ONLY {
            @Override
            Path arrange(DiskUpstreamAuthorityTest t) {
                CorporatePki.writeCertificates(t.certFile, t.issuing.certificate(), t.root.certificate());
                return null;
            }
        },
        CHAIN_TO_THE_ROOT_IN_CERT_FILE_AND_BUNDLE_FILE {
            @Override
            Path arrange(DiskUpstreamAuthorityTest t) {
                CorporatePki.writeCertificates(t.certFile, t.issuing.certificate(), t.root.certificate());
                return t.bundleFile;
            }
        };

        abstract Path arrange(DiskUpstreamAuthorityTest t);
    }

    @ParameterizedTest
    @EnumSource(Layout.class)
    void theChain_holdsTheIssuingCa_andTheRoot_isInX509RootsOnly(Layout layout) {
        DiskUpstreamAuthority disk = disk(layout.arrange(this), clock);

        MintedX509Ca minted = disk.mintX509Ca(TD, caKey("ca"), TTL);

        assertThat(minted.upstreamChain()).containsExactly(issuing.certificate());
        assertThat(minted.isSelfSigned()).isFalse();
        assertThat(disk.x509Roots()).containsExactly(root.certificate());
    }

    @Test
    void theRootItselfSigning_leavesTheChainEmpty_thoughTheCaIsNotSelfSigned() throws Exception {
        CorporatePki.writeCertificates(certFile, root.certificate());
        CorporatePki.writePkcs8Key(keyFile, root.keyPair());

        DiskUpstreamAuthority disk = disk(null, clock);
        MintedX509Ca minted = disk.mintX509Ca(TD, caKey("ca"), TTL);

        assertThat(minted.upstreamChain()).isEmpty();
        assertThat(minted.isSelfSigned()).isFalse();
        minted.certificate().verify(root.certificate().getPublicKey());
        assertThat(disk.x509Roots()).containsExactly(root.certificate());
    }

    @Test
    void notAfter_isCappedAtTheIssuingCasNotAfter() {
        Ca shortLived = root.issuingCa("Short-lived Issuing CA", YEAR_AGO, NOW.plus(Duration.ofHours(12)));
        useIssuing(shortLived);

        X509Certificate ca =
                disk(bundleFile, clock).mintX509Ca(TD, caKey("ca"), TTL).certificate();

        assertThat(ca.getNotAfter().toInstant()).isEqualTo(NOW.plus(Duration.ofHours(12)));
    }

    @Test
    void notAfter_isCappedAtTheRoot_whenTheRootEndsFirst() {
        Ca shortRoot = CorporatePki.root("Old Root CA", YEAR_AGO, NOW.plus(Duration.ofHours(6)));
        useIssuing(shortRoot.issuingCa("Issuing CA", YEAR_AGO, NOW.plus(Duration.ofDays(30))));
        CorporatePki.writeCertificates(bundleFile, shortRoot.certificate());

        X509Certificate ca =
                disk(bundleFile, clock).mintX509Ca(TD, caKey("ca"), TTL).certificate();

        assertThat(ca.getNotAfter().toInstant()).isEqualTo(NOW.plus(Duration.ofHours(6)));
    }

    @Test
    void anUpstreamThatHasExpiredSince_refusesToMint() {
        useIssuing(root.issuingCa("Short-lived Issuing CA", YEAR_AGO, NOW.plus(Duration.ofHours(12))));
        DiskUpstreamAuthority disk = disk(bundleFile, clock);

        clock.advance(Duration.ofHours(13));

        assertThatThrownBy(() -> disk.mintX509Ca(TD, caKey("ca"), TTL))
                .isInstanceOf(FailedPreconditionException.class)
                .hasMessageContaining(
                        "\"CN=Short-lived Issuing CA,O=Example Corp\" expired at " + NOW.plus(Duration.ofHours(12)))
                .hasMessageContaining("plugins.upstreamAuthority.disk.certFile (" + certFile + ")");
    }

    /** How an operator may hand over the key, and which signature algorithm that implies. */
    static Stream<Arguments> upstreamKeys() {
        Supplier<KeyPair> p256 = TestPki::keyPair;
        return Stream.of(
                Arguments.of("EC P-256, PKCS#8", p256, false, "SHA256withECDSA"),
                Arguments.of("EC P-256, traditional", p256, true, "SHA256withECDSA"),
                Arguments.of("EC P-384, PKCS#8", (Supplier<KeyPair>) CorporatePki::p384Key, false, "SHA384withECDSA"),
                Arguments.of("RSA, traditional", (Supplier<KeyPair>) CorporatePki::rsaKey, true, "SHA256withRSA"),
                Arguments.of("RSA, PKCS#8", (Supplier<KeyPair>) CorporatePki::rsaKey, false, "SHA256withRSA"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("upstreamKeys")
    void everyKeyForm_signs_withTheAlgorithmOfItsType(
            String form, Supplier<KeyPair> keys, boolean traditional, String algorithm) throws Exception {
        KeyPair key = keys.get();
        Ca upstream =
                root.issue("Keyed Issuing CA", key, CorporatePki.Profile.CA, YEAR_AGO, NOW.plus(TTL.multipliedBy(9)));
        CorporatePki.writeCertificates(certFile, upstream.certificate());
        if (traditional) {
            CorporatePki.writeTraditionalKey(keyFile, key);
            assertThat(Files.readString(keyFile)).containsPattern("BEGIN (EC|RSA) PRIVATE KEY");
        } else {
            CorporatePki.writePkcs8Key(keyFile, key);
        }

        X509Certificate ca =
                disk(bundleFile, clock).mintX509Ca(TD, caKey("ca"), TTL).certificate();

        assertThat(ca.getSigAlgName()).isEqualTo(algorithm);
        ca.verify(key.getPublic());
    }

    @Test
    void aRootAddedToTheBundle_appearsInX509Roots_withoutARestart() {
        DiskUpstreamAuthority disk = disk(bundleFile, clock);
        Ca newRoot = CorporatePki.root("Example Root CA 2", YEAR_AGO, NOW.plus(Duration.ofDays(7300)));

        CorporatePki.writeCertificates(bundleFile, root.certificate(), newRoot.certificate());

        assertThat(disk.x509Roots()).containsExactly(root.certificate(), newRoot.certificate());
    }

    @Test
    void aRootRotation_stepByStep_withoutARestart() {
        DiskUpstreamAuthority disk = disk(bundleFile, clock);
        Ca newRoot = CorporatePki.root("Example Root CA 2", YEAR_AGO, NOW.plus(Duration.ofDays(7300)));
        Ca newIssuing = newRoot.issuingCa("Example Issuing CA 2", YEAR_AGO, NOW.plus(Duration.ofDays(730)));
        MintedX509Ca before = disk.mintX509Ca(TD, caKey("old"), TTL);

        // 1. the new root is trusted first, alongside the old one
        CorporatePki.writeCertificates(bundleFile, root.certificate(), newRoot.certificate());
        assertThat(disk.x509Roots()).containsExactly(root.certificate(), newRoot.certificate());
        // 2. the upstream signing CA is switched to one under the new root
        useIssuing(newIssuing);
        // 3. the next CA meshca prepares is minted under it
        MintedX509Ca after = disk.mintX509Ca(TD, caKey("new"), TTL);
        // 4. the old root leaves the bundle file
        CorporatePki.writeCertificates(bundleFile, newRoot.certificate());

        assertThat(before.upstreamChain()).containsExactly(issuing.certificate());
        assertThat(after.upstreamChain()).containsExactly(newIssuing.certificate());
        assertThat(after.certificate().getIssuerX500Principal())
                .isEqualTo(newIssuing.certificate().getSubjectX500Principal());
        assertThat(disk.x509Roots()).containsExactly(newRoot.certificate());
    }

    @Test
    void aCorruptBundle_keepsTheLastGoodRoots_andMintingGoesOn_untilItIsFixed() {
        DiskUpstreamAuthority disk = disk(bundleFile, clock);
        Ca newRoot = CorporatePki.root("Example Root CA 2", YEAR_AGO, NOW.plus(Duration.ofDays(7300)));

        CorporatePki.write(bundleFile, "-----BEGIN CERTIFICATE-----\nnot base64 at all\n");

        assertThat(disk.x509Roots()).containsExactly(root.certificate());
        assertThat(disk.mintX509Ca(TD, caKey("ca"), TTL).upstreamChain()).containsExactly(issuing.certificate());

        CorporatePki.writeCertificates(bundleFile, root.certificate(), newRoot.certificate());

        assertThat(disk.x509Roots()).containsExactly(root.certificate(), newRoot.certificate());
    }

    @Test
    void aCertificateSwitchedBeforeItsKey_keepsSigningWithTheLastGoodCa() throws Exception {
        DiskUpstreamAuthority disk = disk(bundleFile, clock);
        Ca next = root.issuingCa("Example Issuing CA 2", YEAR_AGO, NOW.plus(Duration.ofDays(730)));

        CorporatePki.writeCertificates(certFile, next.certificate());
        X509Certificate halfway = disk.mintX509Ca(TD, caKey("a"), TTL).certificate();
        CorporatePki.writePkcs8Key(keyFile, next.keyPair());
        X509Certificate done = disk.mintX509Ca(TD, caKey("b"), TTL).certificate();

        halfway.verify(issuing.certificate().getPublicKey());
        done.verify(next.certificate().getPublicKey());
    }

    @Test
    void x509Roots_readsTheFilesAgain_onlyWhenTheirTimeOrSizeChanged() throws Exception {
        Ca second = CorporatePki.root("Example Root CA 2", YEAR_AGO, NOW.plus(Duration.ofDays(7300)));
        CorporatePki.writeCertificates(bundleFile, root.certificate(), second.certificate());
        FileTime stamp = FileTime.from(Instant.parse("2026-01-01T00:00:00Z"));
        Files.setLastModifiedTime(bundleFile, stamp);
        DiskUpstreamAuthority disk = disk(bundleFile, clock);

        // same size, same time: not read again, so the old order stays
        CorporatePki.writeCertificates(bundleFile, second.certificate(), root.certificate());
        Files.setLastModifiedTime(bundleFile, stamp);
        List<X509Certificate> unchanged = disk.x509Roots();
        Files.setLastModifiedTime(bundleFile, FileTime.from(stamp.toInstant().plusSeconds(1)));
        List<X509Certificate> changed = disk.x509Roots();

        assertThat(unchanged).containsExactly(root.certificate(), second.certificate());
        assertThat(changed).containsExactly(second.certificate(), root.certificate());
    }

    @Test
    void aBundleFileThatDisappears_keepsTheLastGoodRoots() throws Exception {
        DiskUpstreamAuthority disk = disk(bundleFile, clock);

        Files.delete(bundleFile);

        assertThat(disk.x509Roots()).containsExactly(root.certificate());
    }

    @Test
    void theKey_isNeverInWhatThePluginPrints() {
        DiskUpstreamAuthority disk = disk(bundleFile, clock);
        String keyText = Base64.getEncoder()
                .encodeToString(issuing.keyPair().getPrivate().getEncoded());

        assertThat(disk.toString()).contains("Example Issuing CA").doesNotContain(keyText.substring(40, 60));
    }

    private void useIssuing(Ca ca) {
        CorporatePki.writeCertificates(certFile, ca.certificate());
        CorporatePki.writePkcs8Key(keyFile, ca.keyPair());
    }
}
