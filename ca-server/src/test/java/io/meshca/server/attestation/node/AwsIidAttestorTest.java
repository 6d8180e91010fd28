package io.meshca.server.attestation.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.meshca.common.error.InvalidArgumentException;
import io.meshca.common.error.PermissionDeniedException;
import io.meshca.common.plugin.PluginConfig;
import io.meshca.common.selector.SelectorVocabularies;
import io.meshca.common.spiffe.Selector;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.common.spiffe.TrustDomain;
import io.meshca.common.testing.FakeClock;
import io.meshca.server.aws.InstanceIdentityDocument;
import io.meshca.server.aws.InstanceIdentityVerifier;
import io.meshca.server.aws.SignedIdentityDocument;
import io.meshca.server.aws.TestAwsIdentity;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class AwsIidAttestorTest {

    private static final TrustDomain TD = TrustDomain.parse("example.org");
    private static final String INSTANCE = "i-0b22a22eec53b9321";
    private static final Instant LAUNCHED = Instant.parse("2026-03-01T12:00:00Z");

    private static final TestAwsIdentity AWS = new TestAwsIdentity(1001);
    private static final TestAwsIdentity OTHER = new TestAwsIdentity(2002);
    /** Another key under AWS's own issuer and serial: a signer ID that names the real certificate. */
    private static final TestAwsIdentity LOOKALIKE = new TestAwsIdentity(1001);

    private final FakeClock clock = new FakeClock(LAUNCHED.plus(Duration.ofMinutes(2)));
    /** The agents on record: what a first attestation adds (as the server would) and TOFU asks. */
    private final Set<SpiffeId> onRecord = new HashSet<>();

    private final Logger attestorLog = (Logger) LoggerFactory.getLogger(AwsIidAttestor.class);
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

    private AwsIidAttestor attestor(Set<String> accounts, boolean allowReattestation, Duration maxAge) {
        return new AwsIidAttestor(
                TD,
                new AwsIidConfig(Path.of("aws.pem"), accounts, allowReattestation, maxAge),
                new InstanceIdentityVerifier(List.of(AWS.certificate)),
                onRecord::contains,
                clock);
    }

    private AwsIidAttestor attestor() {
        return attestor(Set.of(), false, null);
    }

    private static String document() {
        return TestAwsIdentity.document(TestAwsIdentity.ACCOUNT, INSTANCE, LAUNCHED);
    }

    @Test
    void aDocumentAwsSigned_givesTheInstancesAgentId_andTheDocumentsSelectors() {
        AttestResult result = AttestSteps.attested(attestor().attest(AWS.payload(document())));

        assertThat(result.agentId().toString())
                .isEqualTo("spiffe://example.org/meshca/agent/aws_iid/123456789012/us-west-2/" + INSTANCE);
        assertThat(result.selectors().asSet().stream().map(Selector::toString))
                .containsExactlyInAnyOrder(
                        "aws_iid:account_id:123456789012",
                        "aws_iid:region:us-west-2",
                        "aws_iid:az:us-west-2b",
                        "aws_iid:image:id:ami-5fb8c835",
                        "aws_iid:instance:id:" + INSTANCE);
        result.selectors().forEach(SelectorVocabularies.BUILT_IN::check);
        assertThat(logs.list).isEmpty();
    }

    @Test
    void anInstanceOnRecord_isRefused_trustOnFirstUse() {
        AwsIidAttestor attestor = attestor();
        byte[] payload = AWS.payload(document());
        onRecord.add(AttestSteps.attested(attestor.attest(payload)).agentId());

        assertRefused(
                () -> AttestSteps.attested(attestor.attest(payload)),
                "instance already attested as spiffe://example.org/meshca/" + "agent/aws_iid/123456789012/us-west-2/"
                        + INSTANCE);

        onRecord.clear(); // evicted
        assertThat(AttestSteps.attested(attestor.attest(payload)).agentId().toString())
                .endsWith(INSTANCE);
    }

    @Test
    void withAllowReattestation_anInstanceOnRecordAttestsAgain() {
        AwsIidAttestor attestor = attestor(Set.of(), true, null);
        byte[] payload = AWS.payload(document());
        onRecord.add(AttestSteps.attested(attestor.attest(payload)).agentId());

        assertThat(AttestSteps.attested(attestor.attest(payload)).agentId().toString())
                .endsWith(INSTANCE);
    }

    @Test
    void aSignatureByAnotherKey_isRefused() {
        String document = document();

        assertRefused(
                () -> AttestSteps.attested(attestor().attest(OTHER.payload(document))),
                "the signer is not one of the AWS certificates of awsCertificatePath");
    }

    @Test
    void aSignatureThatNamesAwsCertificate_butIsNotMadeWithItsKey_isRefused_evenCarryingItsOwnCertificate() {
        String document = document();
        byte[] payload = new SignedIdentityDocument(document, LOOKALIKE.sign(document, LOOKALIKE.certificate)).toJson();

        assertRefused(
                () -> AttestSteps.attested(attestor().attest(payload)),
                "the signature does not verify with the AWS certificate it names");
    }

    @Test
    void aDocumentAlteredAfterSigning_isRefused() {
        String signed = document();
        String altered = TestAwsIdentity.document(TestAwsIdentity.ACCOUNT, "i-0aaaaaaaaaaaaaaaa", LAUNCHED);
        byte[] payload = new SignedIdentityDocument(altered, AWS.sign(signed)).toJson();

        assertRefused(
                () -> AttestSteps.attested(attestor().attest(payload)),
                "the document is not the one the signature covers");
    }

    @Test
    void anAccountNotAllowed_isRefused_andAnAllowedOneAccepted() {
        String stranger = TestAwsIdentity.document("210987654321", INSTANCE, LAUNCHED);

        assertRefused(
                () -> attestor(Set.of(TestAwsIdentity.ACCOUNT), false, null).attest(AWS.payload(stranger)),
                "account 210987654321 is not in accountAllowList");
        assertThat(AttestSteps.attested(attestor(Set.of(TestAwsIdentity.ACCOUNT), false, null)
                                .attest(AWS.payload(document())))
                        .agentId()
                        .toString())
                .endsWith(INSTANCE);
    }

    @Test
    void aDocumentOlderThanMaxDocumentAge_isRefused() {
        AwsIidAttestor attestor = attestor(Set.of(), false, Duration.ofMinutes(10));
        byte[] payload = AWS.payload(document());
        assertThat(AttestSteps.attested(attestor.attest(payload)).agentId())
                .as("launched 2 minutes ago")
                .isNotNull();

        clock.advance(Duration.ofMinutes(9));

        assertRefused(
                () -> AttestSteps.attested(attestor.attest(payload)),
                "the document is from 2026-03-01T12:00:00Z, older than maxDocumentAge 10m");
    }

    @Test
    void malformedPayloads_areInvalidArguments_namingTheProblem() {
        String document = document();
        assertInvalid("not json".getBytes(StandardCharsets.UTF_8), SignedIdentityDocument.NOT_JSON);
        assertInvalid(json("{\"rsa2048\":\"MIIB\"}"), SignedIdentityDocument.NO_DOCUMENT);
        // SPIRE's agents before rsa2048 sent an RSA-1024 "signature": not accepted here
        assertInvalid(json("{\"document\":\"{}\",\"signature\":\"abc\"}"), SignedIdentityDocument.NO_RSA2048);
        assertInvalid(
                new SignedIdentityDocument(document, "bm90IGEgcGtjczc=").toJson(),
                "aws_iid rsa2048 is not a base64 PKCS#7 SignedData");
        assertInvalid(new SignedIdentityDocument("[]", AWS.sign("[]")).toJson(), InstanceIdentityDocument.NOT_JSON);
        String noInstance = document.replace("\"instanceId\"", "\"instance\"");
        assertInvalid(AWS.payload(noInstance), "aws_iid document has no \"instanceId\" string");
        String badRegion = document.replace("\"us-west-2\"", "\"../../x\"");
        assertInvalid(AWS.payload(badRegion), "aws_iid document region is not an AWS region");
    }

    @Test
    void config_namesTheKeyItRefuses(@TempDir Path dir) {
        assertThatThrownBy(() -> AwsIidConfig.from(block(Map.of())))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageStartingWith("plugins.nodeAttestor.aws_iid.awsCertificatePath is required");
        assertThatThrownBy(() -> AwsIidConfig.from(
                        block(Map.of("awsCertificatePath", "a.pem", "accountAllowList", List.of("1234")))))
                .hasMessage("plugins.nodeAttestor.aws_iid.accountAllowList entries are 12-digit AWS account IDs,"
                        + " got \"1234\"");
        assertThatThrownBy(() ->
                        AwsIidConfig.from(block(Map.of("awsCertificatePath", "a.pem", "allowReattestation", "yes"))))
                .hasMessage("plugins.nodeAttestor.aws_iid.allowReattestation must be true or false, got \"yes\"");
        assertThatThrownBy(() -> AwsIidConfig.from(block(Map.of("awsCertificatePath", "a.pem", "region", "x"))))
                .hasMessageStartingWith("unknown config key \"plugins.nodeAttestor.aws_iid.region\"");
        assertThatThrownBy(() -> AwsIidConfig.from(block(Map.of(
                                "awsCertificatePath", dir.resolve("none.pem").toString())))
                        .certificates())
                .hasMessageStartingWith("cannot read plugins.nodeAttestor.aws_iid.awsCertificatePath");

        AwsIidConfig parsed = AwsIidConfig.from(block(Map.of(
                "awsCertificatePath",
                AWS.writeCertificate(dir.resolve("aws.pem")).toString(),
                "accountAllowList",
                List.of(TestAwsIdentity.ACCOUNT),
                "allowReattestation",
                true,
                "maxDocumentAge",
                "1h")));
        assertThat(parsed.accountAllowList()).containsExactly(TestAwsIdentity.ACCOUNT);
        assertThat(parsed.allowReattestation()).isTrue();
        assertThat(parsed.maxDocumentAgeLimit()).hasValue(Duration.ofHours(1));
        assertThat(AttestSteps.attested(AwsIidAttestor.create(TD, parsed, onRecord::contains, clock)
                                .attest(AWS.payload(document())))
                        .agentId()
                        .toString())
                .endsWith(INSTANCE);
    }

    private static PluginConfig block(Map<String, Object> settings) {
        return new PluginConfig("plugins.nodeAttestor.aws_iid", settings);
    }

    private static byte[] json(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private void assertInvalid(byte[] payload, String message) {
        assertThatThrownBy(() -> AttestSteps.attested(attestor().attest(payload)))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessage(message);
    }

    private void assertRefused(Runnable attest, String reason) {
        assertThatThrownBy(attest::run)
                .isInstanceOf(PermissionDeniedException.class)
                .hasMessage(AwsIidAttestor.REFUSED);
        assertThat(logs.list)
                .last()
                .extracting(ILoggingEvent::getFormattedMessage)
                .asString()
                .startsWith("aws_iid attestation refused for instance ")
                .contains(reason)
                .doesNotContain("MII"); // no part of the signature
    }
}
