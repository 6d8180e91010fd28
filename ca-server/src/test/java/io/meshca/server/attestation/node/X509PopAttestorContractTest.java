package io.meshca.server.attestation.node;

import io.meshca.common.attestation.X509PopChallenge;
import io.meshca.common.pki.Certificates;
import io.meshca.common.testing.FakeClock;
import io.meshca.server.testing.NodeCertificates;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

class X509PopAttestorContractTest extends NodeAttestorContractTest {

    private static final NodeCertificates.Ca ROOT = NodeCertificates.root("contract root");
    private static final NodeCertificates.Node NODE =
            ROOT.intermediate("contract intermediate").node("node-1");

    @Override
    protected NodeAttestor attestor() {
        return new X509PopAttestor(
                TD,
                new X509PopConfig(
                        Path.of("node-ca.pem"),
                        List.of(ROOT.certificate()),
                        AgentPathTemplate.parse("t", AgentPathTemplate.DEFAULT)),
                new FakeClock(Instant.now()));
    }

    @Override
    protected byte[] validEvidence() {
        return Certificates.concatenatedDer(NODE.chain());
    }

    @Override
    protected byte[] answer(byte[] challenge) {
        return X509PopChallenge.sign(NODE.key().getPrivate(), challenge);
    }
}
