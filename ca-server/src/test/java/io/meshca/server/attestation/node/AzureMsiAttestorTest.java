package io.meshca.server.attestation.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.meshca.common.error.InvalidArgumentException;
import io.meshca.common.error.PermissionDeniedException;
import io.meshca.common.plugin.PluginConfig;
import io.meshca.common.selector.SelectorVocabularies;
import io.meshca.common.spiffe.Selector;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.common.spiffe.TrustDomain;
import io.meshca.common.testing.FakeClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;

class AzureMsiAttestorTest {

    private static final TrustDomain TD = TrustDomain.parse("example.org");
    static final String TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
    private static final String OTHER_TENANT = "00000000-1111-2222-3333-444444444444";
    static final String PRINCIPAL = "5e4f3a2b-1c0d-4e9f-8a7b-6c5d4e3f2a1b";
    private static final String SUBSCRIPTION = "d5b40d61-272e-48da-beb9-05f295c42bd6";
    private static final String RESOURCE = "https://management.azure.com/";
    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");

    static final RSAKey ENTRA = rsaKey("entra-1");
    private static final RSAKey FORGER = rsaKey("entra-1");

    private final FakeClock clock = new FakeClock(NOW);
    /** The agent IDs the server has on record (attested, not evicted). */
    private final Set<SpiffeId> onRecord = new HashSet<>();

    private final AzureMsiAttestor attestor = attestor(false);

    private AzureMsiAttestor attestor(boolean allowReattestation) {
        return new AzureMsiAttestor(
                TD,
                new AzureMsiConfig(
                        Map.of(TENANT, new AzureMsiConfig.Tenant(TENANT, RESOURCE, null)), allowReattestation),
                Map.of(TENANT, new ImmutableJWKSet<>(new JWKSet(ENTRA.toPublicJWK()))),
                onRecord::contains,
                clock);
    }

    private final Logger attestorLog = (Logger) LoggerFactory.getLogger(AzureMsiAttestor.class);
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();

    @BeforeEach
    void captureLog() {
        logs.start();
        attestorLog.addAppender(logs);
    }

    @AfterEach
    void releaseLog() {
        attestorLog.detachAppender(logs);
    }

    static RSAKey rsaKey(String kid) {
        try {
            return new RSAKeyGenerator(2048).keyID(kid).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The claims of a VM's system-assigned identity token from the metadata service, valid 24 hours from now. */
    static JWTClaimsSet.Builder msiToken(String tenant, String audience, Instant now) {
        String vm = "/subscriptions/" + SUBSCRIPTION
                + "/resourcegroups/frontend/providers/Microsoft.Compute/virtualMachines/blog-01";
        return new JWTClaimsSet.Builder()
                .audience(audience)
                .issuer("https://sts.windows.net/" + tenant + "/")
                .issueTime(Date.from(now))
                .notBeforeTime(Date.from(now))
                .expirationTime(Date.from(now.plus(Duration.ofHours(24))))
                .claim("aio", "E2ZgYNh0ZW3+n7pQ1Ke0V/5dd1oUAA==")
                .claim("appid", "9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d")
                .claim("appidacr", "2")
                .claim("idp", "https://sts.windows.net/" + tenant + "/")
                .claim("idtyp", "app")
                .claim("oid", PRINCIPAL)
                .claim("rh", "0.AR8Av4j5cvGGr0GRqy180BHbR0ZIf3kAutdPukPawfj2MBMfAAA.")
                .subject(PRINCIPAL)
                .claim("tid", tenant)
                .claim("uti", "fq3DqCf6WUi2kXbLgQZNAA")
                .claim("ver", "1.0")
                .claim("xms_mirid", vm)
                .claim("xms_tcdt", 1_600_000_000L);
    }

    static String sign(JWTClaimsSet.Builder claims, RSAKey key) {
        try {
            SignedJWT jwt = new SignedJWT(
                    new JWSHeader.Builder(JWSAlgorithm.RS256)
                            .type(JOSEObjectType.JWT)
                            .keyID(key.getKeyID())
                            .build(),
                    claims.build());
            jwt.sign(new RSASSASigner(key));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] payload(String token) {
        return ("{\"token\":\"" + token + "\"}").getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aTokenOfAConfiguredTenant_givesTheIdentitysAgentId_andTheVmsSelectors() {
        AttestResult result =
                AttestSteps.attested(attestor.attest(payload(sign(msiToken(TENANT, RESOURCE, NOW), ENTRA))));

        assertThat(result.agentId().toString())
                .isEqualTo("spiffe://example.org/meshca/agent/azure_msi/" + TENANT + "/" + PRINCIPAL);
        assertThat(result.selectors().asSet().stream().map(Selector::toString))
                .containsExactlyInAnyOrder(
                        "azure_msi:principal-id:" + PRINCIPAL,
                        "azure_msi:subscription-id:" + SUBSCRIPTION,
                        "azure_msi:resource-group:frontend",
                        "azure_msi:vm-name:frontend:blog-01");
        result.selectors().forEach(SelectorVocabularies.BUILT_IN::check);
    }

    @Test
    void anIdentityThatHasAttested_isRefusedTheSecondTime_soAReplayedTokenIsWorthNothing() {
        byte[] payload = payload(sign(msiToken(TENANT, RESOURCE, NOW), ENTRA));
        onRecord.add(AttestSteps.attested(attestor.attest(payload)).agentId());

        assertThatThrownBy(() -> attestor.attest(payload))
                .isInstanceOf(PermissionDeniedException.class)
                .hasMessage(AzureMsiAttestor.REFUSED);
        assertThat(logs.list.get(logs.list.size() - 1).getFormattedMessage())
                .contains("identity " + PRINCIPAL + " of tenant " + TENANT + " has attested already");
    }

    @Test
    void withAllowReattestation_theSameTokenAttestsAgain_theMetadataServiceHandsItOutUntilItExpires() {
        AzureMsiAttestor reattesting = attestor(true);
        byte[] payload = payload(sign(msiToken(TENANT, RESOURCE, NOW), ENTRA));
        onRecord.add(AttestSteps.attested(reattesting.attest(payload)).agentId());

        assertThat(AttestSteps.attested(reattesting.attest(payload)).agentId())
                .isEqualTo(onRecord.iterator().next());
    }

    @Test
    void aUserAssignedIdentity_namesNoVm_onlyItsPrincipal() {
        JWTClaimsSet.Builder claims = msiToken(TENANT, RESOURCE, NOW)
                .claim(
                        "xms_mirid",
                        "/subscriptions/" + SUBSCRIPTION + "/resourcegroups/identities/providers/"
                                + "Microsoft.ManagedIdentity/userAssignedIdentities/meshca-agent");

        assertThat(AttestSteps.attested(attestor.attest(payload(sign(claims, ENTRA)))).selectors().asSet().stream()
                        .map(Selector::toString))
                .containsExactly("azure_msi:principal-id:" + PRINCIPAL);
    }

    static Stream<Arguments> refusals() {
        return Stream.of(
                Arguments.of(
                        "wrong audience",
                        (UnaryOperator<JWTClaimsSet.Builder>) c -> c.audience("https://vault.azure.net"),
                        ENTRA,
                        "token audience [https://vault.azure.net] contains none of [" + RESOURCE + "]"),
                Arguments.of(
                        "unconfigured tenant",
                        (UnaryOperator<JWTClaimsSet.Builder>) c -> msiToken(OTHER_TENANT, RESOURCE, NOW),
                        ENTRA,
                        "token issuer https://sts.windows.net/" + OTHER_TENANT + "/ is not a trusted issuer"),
                Arguments.of(
                        "foreign issuer",
                        (UnaryOperator<JWTClaimsSet.Builder>) c -> c.issuer("https://login.example.com/"),
                        ENTRA,
                        "token issuer https://login.example.com/ is not a trusted issuer"),
                Arguments.of(
                        "tid of another tenant",
                        (UnaryOperator<JWTClaimsSet.Builder>) c -> c.claim("tid", OTHER_TENANT),
                        ENTRA,
                        "token tid " + OTHER_TENANT + " is not the tenant of its issuer https://sts.windows.net/"
                                + TENANT + "/"),
                Arguments.of(
                        "bad signature",
                        (UnaryOperator<JWTClaimsSet.Builder>) c -> c,
                        FORGER,
                        "token signature does not verify"),
                Arguments.of(
                        "subject not a principal ID",
                        (UnaryOperator<JWTClaimsSet.Builder>) c -> c.subject("../../admin"),
                        ENTRA,
                        "token sub ../../admin is not a principal ID"),
                Arguments.of(
                        "expired",
                        (UnaryOperator<JWTClaimsSet.Builder>)
                                c -> msiToken(TENANT, RESOURCE, NOW.minus(Duration.ofHours(25))),
                        ENTRA,
                        "token expired at"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusals")
    void refusedTokens_tellTheAgentOnlyThatTheyAreRefused_andTheLogWhy(
            String what, UnaryOperator<JWTClaimsSet.Builder> change, RSAKey signer, String reason) {
        String token = sign(change.apply(msiToken(TENANT, RESOURCE, NOW)), signer);

        assertThatThrownBy(() -> AttestSteps.attested(attestor.attest(payload(token))))
                .isInstanceOf(PermissionDeniedException.class)
                .hasMessage(AzureMsiAttestor.REFUSED);
        assertThat(logs.list)
                .singleElement()
                .extracting(ILoggingEvent::getFormattedMessage)
                .asString()
                .startsWith("azure_msi attestation refused: ")
                .contains(reason)
                .doesNotContain(token);
    }

    @Test
    void aTokenPastItsExpiry_isRefusedOnceTheClockGetsThere() {
        byte[] payload = payload(sign(msiToken(TENANT, RESOURCE, NOW), ENTRA));
        assertThat(AttestSteps.attested(attestor.attest(payload)).agentId()).isNotNull();

        clock.advance(Duration.ofHours(24).plusMinutes(2));

        assertThatThrownBy(() -> AttestSteps.attested(attestor.attest(payload))).hasMessage(AzureMsiAttestor.REFUSED);
    }

    @Test
    void malformedPayloads_areInvalidArguments() {
        assertThatThrownBy(() -> AttestSteps.attested(attestor.attest("eyJ.a.b".getBytes(StandardCharsets.UTF_8))))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessage(AzureMsiAttestor.NOT_JSON);
        assertThatThrownBy(
                        () -> AttestSteps.attested(attestor.attest("{\"jwt\":\"x\"}".getBytes(StandardCharsets.UTF_8))))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessage(AzureMsiAttestor.NO_TOKEN);
    }

    @Test
    void config_namesTheKeyItRefuses_andReadsAJwksFile(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> AzureMsiConfig.from(block(Map.of())))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageStartingWith("plugins.nodeAttestor.azure_msi.tenants is required");
        assertThatThrownBy(() -> AzureMsiConfig.from(block(Map.of("tenants", Map.of("contoso", Map.of())))))
                .hasMessage("plugins.nodeAttestor.azure_msi.tenants keys are tenant IDs (lowercase GUIDs),"
                        + " got \"contoso\"");
        assertThatThrownBy(() ->
                        AzureMsiConfig.from(block(Map.of("tenants", Map.of(TENANT, Map.of("resource_id", "x"))))))
                .hasMessageStartingWith(
                        "unknown config key \"plugins.nodeAttestor.azure_msi.tenants." + TENANT + ".resource_id\"");

        Path jwks = Files.writeString(dir.resolve("keys.json"), new JWKSet(ENTRA.toPublicJWK()).toString());
        AzureMsiConfig parsed = AzureMsiConfig.from(block(
                Map.of("tenants", Map.of(TENANT, Map.of("jwksFile", jwks.toString(), "resource", "api://meshca")))));
        AzureMsiConfig.Tenant tenant = parsed.tenants().get(TENANT);
        assertThat(tenant.resource()).isEqualTo("api://meshca");
        assertThat(tenant.discoveryIssuer()).isEqualTo("https://login.microsoftonline.com/" + TENANT + "/v2.0");
        assertThat(AzureMsiConfig.from(block(Map.of("tenants", Map.of(TENANT, Map.of()))))
                        .tenants()
                        .get(TENANT)
                        .resource())
                .isEqualTo(AzureMsiConfig.DEFAULT_RESOURCE);
        AzureMsiAttestor fromFile = AzureMsiAttestor.create(TD, parsed, onRecord::contains, clock);
        assertThat(AttestSteps.attested(fromFile.attest(payload(sign(msiToken(TENANT, "api://meshca", NOW), ENTRA))))
                        .agentId()
                        .toString())
                .endsWith("/azure_msi/" + TENANT + "/" + PRINCIPAL);
    }

    private static PluginConfig block(Map<String, Object> settings) {
        return new PluginConfig("plugins.nodeAttestor.azure_msi", settings);
    }
}
