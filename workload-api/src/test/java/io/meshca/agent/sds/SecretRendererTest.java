package io.meshca.agent.sds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SPIFFECertValidatorConfig;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.meshca.agent.cache.IssuedSvid;
import io.meshca.agent.cache.TrustBundle;
import io.meshca.agent.cache.X509Snapshot;
import io.meshca.agent.testing.FakeWorkloadIdentitySource;
import io.meshca.common.bundle.JwtAuthority;
import io.meshca.common.error.InvalidArgumentException;
import io.meshca.common.pki.Certificates;
import io.meshca.common.pki.Pem;
import io.meshca.common.spiffe.TrustDomain;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Snapshot → Envoy secrets, as a table. Each secret is summarised as {@code name=kind:content}:
 * {@code cert:<SPIFFE ID of the leaf>}, {@code ca:<trust domains of the roots>} for trusted_ca, or
 * {@code spiffe:<trust domains>} for the SPIFFE validator (each domain's bundle checked to be its own).
 */
class SecretRendererTest {

    private static final FakeWorkloadIdentitySource.Pki PKI = FakeWorkloadIdentitySource.pki();
    private static final IssuedSvid WEB = PKI.svid("/web", "");
    private static final IssuedSvid ADMIN = PKI.svid("/admin", "");
    private static final X509Snapshot SNAPSHOT = PKI.snapshot(WEB, ADMIN);
    private static final SdsSettings PLAIN_CA = new SdsSettings("default", "ROOTCA", "ALL", true);
    private static final SdsSettings RENAMED = new SdsSettings("my-cert", "my-root", "my-all", false);

    static Stream<Arguments> renderings() {
        return Stream.of(
                row(
                        "default is the first SVID",
                        SdsSettings.DEFAULTS,
                        List.of("default"),
                        "default=cert:spiffe://example.org/web"),
                row(
                        "an SVID by its SPIFFE ID",
                        SdsSettings.DEFAULTS,
                        List.of("spiffe://example.org/admin"),
                        "spiffe://example.org/admin=cert:spiffe://example.org/admin"),
                row("ROOTCA is the own bundle", SdsSettings.DEFAULTS, List.of("ROOTCA"), "ROOTCA=ca:example.org"),
                row(
                        "the own trust domain ID is the own bundle",
                        SdsSettings.DEFAULTS,
                        List.of("spiffe://example.org"),
                        "spiffe://example.org=ca:example.org"),
                row(
                        "a federated trust domain ID: SPIFFE validator",
                        SdsSettings.DEFAULTS,
                        List.of("spiffe://partner.org"),
                        "spiffe://partner.org=spiffe:partner.org"),
                row(
                        "ALL: own then federated, SPIFFE validator",
                        SdsSettings.DEFAULTS,
                        List.of("ALL"),
                        "ALL=spiffe:example.org,partner.org"),
                row(
                        "ALL with the validator disabled: trusted_ca",
                        PLAIN_CA,
                        List.of("ALL"),
                        "ALL=ca:example.org,partner.org"),
                row(
                        "federated with the validator disabled: trusted_ca",
                        PLAIN_CA,
                        List.of("spiffe://partner.org"),
                        "spiffe://partner.org=ca:partner.org"),
                row(
                        "several, in the order asked, duplicates once",
                        SdsSettings.DEFAULTS,
                        List.of("ROOTCA", "default", "ROOTCA"),
                        "ROOTCA=ca:example.org",
                        "default=cert:spiffe://example.org/web"),
                row(
                        "no names: every SVID and every bundle by ID",
                        SdsSettings.DEFAULTS,
                        List.of(),
                        "spiffe://example.org/web=cert:spiffe://example.org/web",
                        "spiffe://example.org/admin=cert:spiffe://example.org/admin",
                        "spiffe://example.org=ca:example.org",
                        "spiffe://partner.org=spiffe:partner.org"),
                row(
                        "configured names",
                        RENAMED,
                        List.of("my-cert", "my-root", "my-all"),
                        "my-cert=cert:spiffe://example.org/web",
                        "my-root=ca:example.org",
                        "my-all=spiffe:example.org,partner.org"));
    }

    private static Arguments row(String scenario, SdsSettings settings, List<String> names, String... expected) {
        return Arguments.of(scenario, settings, names, List.of(expected));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("renderings")
    void rendersTheNamedSecrets(String scenario, SdsSettings settings, List<String> names, List<String> expected) {
        List<Secret> secrets = new SecretRenderer(settings).render(SNAPSHOT, names);

        assertThat(secrets).extracting(SecretRendererTest::summary).containsExactlyElementsOf(expected);
    }

    static Stream<Arguments> refusals() {
        return Stream.of(
                Arguments.of("another workload's SPIFFE ID", SdsSettings.DEFAULTS, "spiffe://example.org/db"),
                Arguments.of("an unknown trust domain", SdsSettings.DEFAULTS, "spiffe://stranger.org"),
                Arguments.of("an unknown name", SdsSettings.DEFAULTS, "default2"),
                Arguments.of("a default name that was renamed", RENAMED, "ROOTCA"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusals")
    void namesNotEntitled_areRefusedNamingTheResource(String scenario, SdsSettings settings, String name) {
        assertThatThrownBy(
                        () -> new SecretRenderer(settings).render(SNAPSHOT, List.of(settings.defaultSvidName(), name)))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining(SecretRenderer.NOT_ENTITLED)
                .hasMessageContaining("\"" + name + "\"");
    }

    @Test
    void tlsCertificate_isThePemChainLeafFirst_andThePkcs8Key() {
        Secret secret = new SecretRenderer(SdsSettings.DEFAULTS)
                .render(SNAPSHOT, List.of("default"))
                .get(0);

        String chain = secret.getTlsCertificate()
                .getCertificateChain()
                .getInlineBytes()
                .toString(StandardCharsets.US_ASCII);
        String key = secret.getTlsCertificate().getPrivateKey().getInlineBytes().toString(StandardCharsets.US_ASCII);
        assertThat(Pem.decodeCertificates(chain)).containsExactlyElementsOf(WEB.chain());
        assertThat(key).startsWith("-----BEGIN PRIVATE KEY-----");
        assertThat(Pem.decodePrivateKey(key)).isEqualTo(WEB.privateKey());
    }

    @Test
    void federatedBundleWithOnlyJwtKeys_isNoSdsResource() {
        TrustBundle jwtOnly = new TrustBundle(
                TrustDomain.parse("jwt-only.org"),
                List.of(),
                1,
                List.of(new JwtAuthority("kid-1", PKI.root().keyPair().getPublic())));
        X509Snapshot snapshot = new X509Snapshot(
                List.of(WEB),
                PKI.bundle(1),
                Map.of(jwtOnly.trustDomain(), jwtOnly, FakeWorkloadIdentitySource.FEDERATED, PKI.partnerBundle()));
        SecretRenderer renderer = new SecretRenderer(SdsSettings.DEFAULTS);

        assertThat(renderer.render(snapshot, List.of("ALL")))
                .extracting(SecretRendererTest::summary)
                .containsExactly("ALL=spiffe:example.org,partner.org");
        assertThat(renderer.render(snapshot, List.of()))
                .extracting(Secret::getName)
                .doesNotContain("spiffe://jwt-only.org");
        assertThatThrownBy(() -> renderer.render(snapshot, List.of("spiffe://jwt-only.org")))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("spiffe://jwt-only.org");
    }

    @Test
    void sameSnapshot_rendersEqualSecrets_soAStreamCanTellAChange() {
        SecretRenderer renderer = new SecretRenderer(SdsSettings.DEFAULTS);

        assertThat(renderer.render(SNAPSHOT, List.of()))
                .isEqualTo(renderer.render(PKI.snapshot(WEB, ADMIN), List.of()));
        assertThat(renderer.render(SNAPSHOT, List.of("default")))
                .isNotEqualTo(renderer.render(PKI.snapshot(PKI.svid("/web", "")), List.of("default")));
    }

    private static String summary(Secret secret) {
        if (secret.hasTlsCertificate()) {
            List<X509Certificate> chain = Pem.decodeCertificates(secret.getTlsCertificate()
                    .getCertificateChain()
                    .getInlineBytes()
                    .toString(StandardCharsets.US_ASCII));
            return secret.getName() + "=cert:"
                    + Certificates.spiffeId(chain.get(0)).orElseThrow();
        }
        var context = secret.getValidationContext();
        if (context.hasTrustedCa()) {
            return secret.getName() + "=ca:"
                    + domains(context.getTrustedCa().getInlineBytes().toString(StandardCharsets.US_ASCII));
        }
        assertThat(context.getCustomValidatorConfig().getName()).isEqualTo("envoy.tls.cert_validator.spiffe");
        SPIFFECertValidatorConfig config;
        try {
            config = context.getCustomValidatorConfig().getTypedConfig().unpack(SPIFFECertValidatorConfig.class);
        } catch (InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
        List<String> names = new ArrayList<>();
        for (SPIFFECertValidatorConfig.TrustDomain domain : config.getTrustDomainsList()) {
            String bundleDomains =
                    domains(domain.getTrustBundle().getInlineBytes().toString(StandardCharsets.US_ASCII));
            assertThat(bundleDomains).as("bundle of " + domain.getName()).isEqualTo(domain.getName());
            names.add(domain.getName());
        }
        return secret.getName() + "=spiffe:" + String.join(",", names);
    }

    /** Which test roots a PEM holds, by trust domain, in order. */
    private static String domains(String pem) {
        return Pem.decodeCertificates(pem).stream()
                .map(cert -> cert.equals(PKI.root().certificate())
                        ? "example.org"
                        : cert.equals(PKI.partnerRoot().certificate()) ? "partner.org" : "unknown")
                .collect(Collectors.joining(","));
    }
}
