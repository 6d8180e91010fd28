package io.meshca.server.attestation.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.meshca.common.attestation.X509PopChallenge;
import io.meshca.common.error.InvalidArgumentException;
import io.meshca.common.error.PermissionDeniedException;
import io.meshca.common.pki.Certificates;
import io.meshca.common.pki.Pem;
import io.meshca.common.plugin.PluginConfig;
import io.meshca.common.spiffe.Selector;
import io.meshca.common.spiffe.TrustDomain;
import io.meshca.common.testing.FakeClock;
import io.meshca.server.testing.NodeCertificates;
import io.meshca.server.testing.NodeCertificates.Ca;
import io.meshca.server.testing.NodeCertificates.Node;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;

class X509PopAttestorTest {

    private static final TrustDomain TD = TrustDomain.parse("example.org");
    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    private static final Instant YEAR_AGO = NOW.minus(Duration.ofDays(365));
    private static final Instant IN_A_YEAR = NOW.plus(Duration.ofDays(365));

    private static final Ca ROOT = NodeCertificates.root("node root", YEAR_AGO, IN_A_YEAR);
    private static final Ca INTERMEDIATE = ROOT.intermediate("node intermediate", YEAR_AGO, IN_A_YEAR);
    private static final Node NODE = INTERMEDIATE.node(
            "node-1.example.org",
            NodeCertificates.ec("secp256r1"),
            NOW.minus(Duration.ofDays(1)),
            NOW.plus(Duration.ofDays(30)),
            true);

    @TempDir
    Path dir;

    private final FakeClock clock = new FakeClock(NOW);
    private final Logger attestorLog = (Logger) LoggerFactory.getLogger(X509PopAttestor.class);
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

    private X509PopConfig config(Map<String, Object> extra) throws Exception {
        Path bundle =
                Files.writeString(dir.resolve("node-ca.pem"), Pem.encodeCertificates(List.of(ROOT.certificate())));
        Map<String, Object> block = new HashMap<>(extra);
        block.put(X509PopConfig.CA_BUNDLE_PATH, bundle.toString());
        return X509PopConfig.from(new PluginConfig("plugins.nodeAttestor.x509pop", block));
    }

    private X509PopAttestor attestor() throws Exception {
        return new X509PopAttestor(TD, config(Map.of()), clock);
    }

    private static byte[] payload(List<X509Certificate> chain) {
        return Certificates.concatenatedDer(chain);
    }

    private static AttestStep.Challenge challenge(AttestStep step) {
        assertThat(step).isInstanceOf(AttestStep.Challenge.class);
        return (AttestStep.Challenge) step;
    }

    /** Attests {@code node}, answering the challenge with its key. */
    private static AttestResult attest(X509PopAttestor attestor, Node node) {
        AttestStep.Challenge c = challenge(attestor.attest(payload(node.chain())));
        return AttestSteps.attested(
                c.onResponse().apply(X509PopChallenge.sign(node.key().getPrivate(), c.challenge())));
    }

    private static String sha1(X509Certificate certificate) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(certificate.getEncoded()));
    }

    private List<String> warnings() {
        return logs.list.stream()
                .filter(e -> e.getLevel() == Level.WARN)
                .map(ILoggingEvent::getFormattedMessage)
                .toList();
    }

    @Test
    void aNodeProvingItsKey_getsItsFingerprintId_andSelectors() throws Exception {
        AttestResult result = attest(attestor(), NODE);

        assertThat(result.agentId().toString())
                .isEqualTo("spiffe://example.org/meshca/agent/x509pop/" + sha1(NODE.certificate()));
        assertThat(result.selectors().asSet().stream().map(Selector::toString))
                .containsExactlyInAnyOrder(
                        "x509pop:subject:cn:node-1.example.org",
                        "x509pop:serialnumber:"
                                + NODE.certificate().getSerialNumber().toString(16),
                        "x509pop:ca:fingerprint:" + sha1(INTERMEDIATE.certificate()),
                        "x509pop:ca:fingerprint:" + sha1(ROOT.certificate()));
        assertThat(warnings()).isEmpty();
    }

    @Test
    void theChallenge_isAFreshNonceUnderTheContext() throws Exception {
        X509PopAttestor attestor = attestor();
        byte[] first = challenge(attestor.attest(payload(NODE.chain()))).challenge();
        byte[] second = challenge(attestor.attest(payload(NODE.chain()))).challenge();

        assertThat(X509PopChallenge.isChallenge(first)).isTrue();
        assertThat(new String(first, 0, X509PopChallenge.CONTEXT.length(), "US-ASCII"))
                .isEqualTo(X509PopChallenge.CONTEXT);
        assertThat(first).hasSize(X509PopChallenge.CONTEXT.length() + 1 + X509PopChallenge.NONCE_BYTES);
        assertThat(second).isNotEqualTo(first);
    }

    @Test
    void aChainSentWithItsRoot_verifiesTheSame() throws Exception {
        List<X509Certificate> withRoot = new ArrayList<>(NODE.chain());
        withRoot.add(ROOT.certificate());
        X509PopAttestor attestor = attestor();
        AttestStep.Challenge c = challenge(attestor.attest(payload(withRoot)));

        AttestResult result = AttestSteps.attested(
                c.onResponse().apply(X509PopChallenge.sign(NODE.key().getPrivate(), c.challenge())));

        assertThat(result).isEqualTo(attest(attestor, NODE));
    }

    @Test
    void theSameNode_attestsAgain_withTheSameId() throws Exception {
        X509PopAttestor attestor = attestor();

        assertThat(attest(attestor, NODE).agentId())
                .isEqualTo(attest(attestor, NODE).agentId());
    }

    @Test
    void aRecordedResponse_toAnEarlierChallenge_isRefused() throws Exception {
        X509PopAttestor attestor = attestor();
        AttestStep.Challenge first = challenge(attestor.attest(payload(NODE.chain())));
        byte[] recorded = X509PopChallenge.sign(NODE.key().getPrivate(), first.challenge());
        AttestSteps.attested(first.onResponse().apply(recorded));

        AttestStep.Challenge replayed = challenge(attestor.attest(payload(NODE.chain())));

        assertThatThrownBy(() -> replayed.onResponse().apply(recorded))
                .isInstanceOf(PermissionDeniedException.class)
                .hasMessage(X509PopAttestor.REFUSED);
        assertThat(warnings()).singleElement().asString().contains("not a signature of this challenge");
    }

    @Test
    void aSignatureByAnotherKey_isRefused() throws Exception {
        AttestStep.Challenge c = challenge(attestor().attest(payload(NODE.chain())));
        byte[] forged = X509PopChallenge.sign(NodeCertificates.ec("secp256r1").getPrivate(), c.challenge());

        assertThatThrownBy(() -> c.onResponse().apply(forged))
                .isInstanceOf(PermissionDeniedException.class)
                .hasMessage(X509PopAttestor.REFUSED);
    }

    @Test
    void aResponseThatIsNoSignature_isRefused_asGenerically() throws Exception {
        AttestStep.Challenge c = challenge(attestor().attest(payload(NODE.chain())));

        for (byte[] garbage : new byte[][] {new byte[0], "garbage".getBytes(), c.challenge()}) {
            assertThatThrownBy(() -> c.onResponse().apply(garbage))
                    .isInstanceOf(PermissionDeniedException.class)
                    .hasMessage(X509PopAttestor.REFUSED);
        }
    }

    static Stream<Arguments> refusedBeforeAnyChallenge() {
        Ca foreignRoot = NodeCertificates.root("foreign root", YEAR_AGO, IN_A_YEAR);
        return Stream.of(
                Arguments.of(
                        "expired",
                        INTERMEDIATE
                                .node("old", NodeCertificates.ec("secp256r1"), YEAR_AGO, NOW.minusSeconds(1), true)
                                .chain(),
                        "the certificate expired at " + NOW.minusSeconds(1)),
                Arguments.of(
                        "not yet valid",
                        INTERMEDIATE
                                .node("early", NodeCertificates.ec("secp256r1"), NOW.plusSeconds(60), IN_A_YEAR, true)
                                .chain(),
                        "the certificate is not valid before " + NOW.plusSeconds(60)),
                Arguments.of(
                        "foreign CA",
                        foreignRoot
                                .intermediate("foreign intermediate")
                                .node("intruder")
                                .chain(),
                        "the chain does not verify to a CA of "),
                Arguments.of(
                        "intermediate missing", List.of(NODE.certificate()), "the chain does not verify to a CA of "),
                Arguments.of(
                        "no digitalSignature",
                        INTERMEDIATE
                                .node("encrypt-only", NodeCertificates.ec("secp256r1"), YEAR_AGO, IN_A_YEAR, false)
                                .chain(),
                        "the certificate's key usage lacks digitalSignature"),
                Arguments.of(
                        "P-521 key",
                        INTERMEDIATE
                                .node("p521", NodeCertificates.ec("secp521r1"), YEAR_AGO, IN_A_YEAR, true)
                                .chain(),
                        "the EC key is on a curve other than P-256 and P-384"),
                Arguments.of(
                        "RSA 1024",
                        INTERMEDIATE
                                .node("weak", NodeCertificates.rsa(1024), YEAR_AGO, IN_A_YEAR, true)
                                .chain(),
                        "the RSA key has 1024 bits, fewer than 2048"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void refusedBeforeAnyChallenge(String name, List<X509Certificate> chain, String logged) throws Exception {
        X509PopAttestor attestor = attestor();

        assertThatThrownBy(() -> attestor.attest(payload(chain)))
                .isInstanceOf(PermissionDeniedException.class)
                .hasMessage(X509PopAttestor.REFUSED);
        assertThat(warnings()).singleElement().asString().contains(logged);
        assertThat(warnings().get(0)).contains("fingerprint=" + sha1(chain.get(0)));
    }

    @Test
    void theIntermediateExpiring_refusesTheChain() throws Exception {
        Ca shortLived = ROOT.intermediate("short-lived", YEAR_AGO, NOW.minusSeconds(1));
        Node node = shortLived.node("n", NodeCertificates.ec("secp256r1"), YEAR_AGO, IN_A_YEAR, true);

        assertThatThrownBy(() -> attestor().attest(payload(node.chain())))
                .isInstanceOf(PermissionDeniedException.class)
                .hasMessage(X509PopAttestor.REFUSED);
        assertThat(warnings()).singleElement().asString().contains("does not verify");
    }

    @Test
    void aPayloadThatIsNoCertificate_isRefused_andAnEmptyOneIsMalformed() throws Exception {
        X509PopAttestor attestor = attestor();

        assertThatThrownBy(() -> attestor.attest("garbage".getBytes()))
                .isInstanceOf(PermissionDeniedException.class)
                .hasMessage(X509PopAttestor.REFUSED);
        assertThat(warnings()).singleElement().asString().contains("the payload is not DER certificates");
        assertThatThrownBy(() -> attestor.attest(new byte[0]))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessage(X509PopAttestor.EMPTY);
    }

    static Stream<Arguments> keys() {
        return Stream.of(
                Arguments.of("P-384", NodeCertificates.ec("secp384r1")),
                Arguments.of("RSA 2048", NodeCertificates.rsa(2048)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("keys")
    void ecP384AndRsaNodeKeys_areAccepted(String name, KeyPair key) throws Exception {
        Node node = INTERMEDIATE.node("node-" + name.replace(' ', '-'), key, YEAR_AGO, IN_A_YEAR, true);

        assertThat(attest(attestor(), node).agentId().path())
                .isEqualTo("/meshca/agent/x509pop/" + sha1(node.certificate()));
    }

    @Test
    void theTemplate_placesTheCommonNameAndSerial() throws Exception {
        X509PopAttestor attestor = new X509PopAttestor(
                TD,
                config(Map.of(X509PopConfig.AGENT_PATH_TEMPLATE, "/x509pop/{{subject.cn}}/{{ serialnumber }}")),
                clock);

        assertThat(attest(attestor, NODE).agentId().toString())
                .isEqualTo("spiffe://example.org/meshca/agent/x509pop/node-1.example.org/"
                        + NODE.certificate().getSerialNumber().toString(16));
    }

    @Test
    void aCommonNameThatIsNoPathSegment_isRefused_whenTheTemplateUsesIt() throws Exception {
        X509PopAttestor attestor = new X509PopAttestor(
                TD, config(Map.of(X509PopConfig.AGENT_PATH_TEMPLATE, "/hosts/{{subject.cn}}")), clock);
        Node climbing = INTERMEDIATE.node("../../server", NodeCertificates.ec("secp256r1"), YEAR_AGO, IN_A_YEAR, true);

        assertThatThrownBy(() -> attest(attestor, climbing))
                .isInstanceOf(PermissionDeniedException.class)
                .hasMessage(X509PopAttestor.REFUSED);
        assertThat(warnings()).singleElement().asString().contains("{{subject.cn}} " + AgentPathTemplate.BAD_SEGMENT);
    }

    @Test
    void aCertificateWithoutCommonName_attests_withoutTheCnSelector() throws Exception {
        // the default template does not need the CN; the subject selector is simply absent
        Node node = INTERMEDIATE.node("", NodeCertificates.ec("secp256r1"), YEAR_AGO, IN_A_YEAR, true);

        AttestResult result = attest(attestor(), node);

        assertThat(result.selectors().asSet().stream().map(Selector::value)).noneMatch(v -> v.startsWith("subject:"));
    }

    static Stream<Arguments> badBlocks() {
        return Stream.of(
                Arguments.of(
                        Map.of(X509PopConfig.AGENT_PATH_TEMPLATE, "/x509pop/{{hostname}}/{{ip}}"),
                        "plugins.nodeAttestor.x509pop.agentPathTemplate has unknown placeholders {{hostname}}, {{ip}}"
                                + " (known: {{fingerprint}}, {{serialnumber}}, {{subject.cn}})"),
                Arguments.of(
                        Map.of(X509PopConfig.AGENT_PATH_TEMPLATE, "/x509pop/{fingerprint}"),
                        "plugins.nodeAttestor.x509pop.agentPathTemplate has a stray '{' or '}'"),
                Arguments.of(
                        Map.of(X509PopConfig.AGENT_PATH_TEMPLATE, "x509pop/{{fingerprint}}"),
                        "plugins.nodeAttestor.x509pop.agentPathTemplate must make a SPIFFE ID path"),
                Arguments.of(
                        Map.of(X509PopConfig.AGENT_PATH_TEMPLATE, "/x509pop/../{{fingerprint}}"),
                        "plugins.nodeAttestor.x509pop.agentPathTemplate must make a SPIFFE ID path"),
                Arguments.of(Map.of("caBundle", "x"), "unknown config key \"plugins.nodeAttestor.x509pop.caBundle\""));
    }

    @ParameterizedTest
    @MethodSource
    void badBlocks(Map<String, Object> block, String message) {
        assertThatThrownBy(() -> config(block))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageStartingWith(message);
    }

    @Test
    void theCaBundle_isRequired_andMustBePemCertificates() throws Exception {
        Path notPem = Files.writeString(dir.resolve("ca.txt"), "not a certificate");

        assertThatThrownBy(() -> X509PopConfig.from(new PluginConfig("plugins.nodeAttestor.x509pop", Map.of())))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageStartingWith("plugins.nodeAttestor.x509pop.caBundlePath is required");
        assertThatThrownBy(() -> X509PopConfig.from(new PluginConfig(
                        "plugins.nodeAttestor.x509pop", Map.of(X509PopConfig.CA_BUNDLE_PATH, notPem.toString()))))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining(notPem.toString())
                .hasMessageContaining("no PEM CERTIFICATE block found");
        assertThatThrownBy(() -> X509PopConfig.from(new PluginConfig(
                        "plugins.nodeAttestor.x509pop",
                        Map.of(
                                X509PopConfig.CA_BUNDLE_PATH,
                                dir.resolve("absent.pem").toString()))))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining(dir.resolve("absent.pem") + " does not exist");
    }
}
