package io.meshca.agent.attestation.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshca.agent.config.AgentConfig;
import io.meshca.common.attestation.X509PopChallenge;
import io.meshca.common.error.FailedPreconditionException;
import io.meshca.common.error.InvalidArgumentException;
import io.meshca.common.pki.Certificates;
import io.meshca.common.pki.Pem;
import io.meshca.server.testing.NodeCertificates;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The built-in {@code x509pop} node attestor: the node's certificate chain, and signatures by its key. */
class X509PopAttestorContractTest extends NodeAttestorContractTest {

    private static final NodeCertificates.Ca INTERMEDIATE =
            NodeCertificates.root("agent test root").intermediate("agent test intermediate");
    private static final NodeCertificates.Node NODE = INTERMEDIATE.node("node-1");

    @TempDir
    Path dir;

    @Override
    protected String pluginName() {
        return "x509pop";
    }

    @Override
    protected AgentConfig.Builder configWithEvidence() {
        write("node.pem", Pem.encodeCertificates(NODE.chain()));
        write("node.key", Pem.encodePrivateKey(NODE.key().getPrivate()));
        return AgentConfig.builder();
    }

    @Override
    protected Map<String, Object> block() {
        return Map.of(
                "certificatePath", dir.resolve("node.pem").toString(),
                "privateKeyPath", dir.resolve("node.key").toString());
    }

    @Test
    void theEvidence_isTheChainAsConcatenatedDer_nodeCertificateFirst() {
        assertThat(attestor().payload())
                .hasValueSatisfying(payload ->
                        assertThat(Certificates.parseConcatenated(payload)).containsExactlyElementsOf(NODE.chain()));
        assertThat(attestor().canReattest()).isTrue();
    }

    @Test
    void aChallenge_isAnsweredWithASignatureTheCertificateVerifies() {
        byte[] challenge = X509PopChallenge.fresh(new SecureRandom());

        byte[] response = attestor().respond(challenge);

        assertThat(X509PopChallenge.verify(NODE.certificate().getPublicKey(), challenge, response))
                .isTrue();
    }

    @Test
    void bytesWithoutTheContext_areNotSigned() {
        assertThatThrownBy(() -> attestor().respond(new byte[64]))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessage(X509PopChallenge.NOT_A_CHALLENGE);
    }

    @Test
    void aKeyOfAnotherCertificate_isRefusedAtLoad_namingBothFiles() {
        configWithEvidence();
        PrivateKey other = NodeCertificates.ec("secp256r1").getPrivate();
        write("node.key", Pem.encodePrivateKey(other));

        assertThatThrownBy(() -> load(AgentConfig.builder(), block()))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessage(
                        String.format(X509PopAttestor.KEY_MISMATCH, dir.resolve("node.key"), dir.resolve("node.pem")));
    }

    @Test
    void missingFilesAndKeys_areRefusedAtLoad_namingThem() {
        assertThatThrownBy(() -> load(AgentConfig.builder(), block()))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessage("x509pop certificate " + dir.resolve("node.pem") + " does not exist");
        assertThatThrownBy(() -> load(AgentConfig.builder(), Map.of("certificatePath", "/etc/node.pem")))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessage("plugins.nodeAttestor.x509pop.privateKeyPath is required");
        write("node.pem", "not pem");
        write("node.key", Pem.encodePrivateKey(NODE.key().getPrivate()));
        assertThatThrownBy(() -> load(AgentConfig.builder(), block()))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessage("x509pop certificate " + dir.resolve("node.pem") + ": no PEM CERTIFICATE block found");
    }

    @Test
    void aCertificateRenewedOnDisk_isTheOnePresentedNext_andItsKeyAnswers() {
        NodeAttestor attestor = attestor();
        NodeCertificates.Node renewed = INTERMEDIATE.node("node-1");
        write("node.pem", Pem.encodeCertificates(renewed.chain()));
        write("node.key", Pem.encodePrivateKey(renewed.key().getPrivate()));

        assertThat(Certificates.parseConcatenated(attestor.payload().orElseThrow())
                        .get(0))
                .isEqualTo(renewed.certificate());
        byte[] challenge = X509PopChallenge.fresh(new SecureRandom());
        assertThat(X509PopChallenge.verify(
                        renewed.certificate().getPublicKey(), challenge, attestor.respond(challenge)))
                .isTrue();
    }

    @Test
    void filesGoneWhileRunning_failTheNextAttestation_namingTheFile() throws IOException {
        NodeAttestor attestor = attestor();
        Files.delete(dir.resolve("node.key"));

        assertThatThrownBy(attestor::payload)
                .isInstanceOf(FailedPreconditionException.class)
                .hasMessage("x509pop private key " + dir.resolve("node.key") + " does not exist");
    }

    private void write(String name, String text) {
        try {
            Files.writeString(dir.resolve(name), text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
