package io.meshca.server.attestation.node;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import io.meshca.common.testing.FakeClock;
import io.meshca.server.k8s.TestTokenIssuer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Set;

class K8sPsatAttestorContractTest extends NodeAttestorContractTest {

    private static final String ISS = "https://kubernetes.default.svc.cluster.local";

    private final TestTokenIssuer k8s = new TestTokenIssuer(ISS, "k8s-1");

    @Override
    protected NodeAttestor attestor() {
        return new K8sPsatAttestor(
                TD,
                new K8sPsatConfig("prod", ISS, null, "meshca-server", Set.of("meshca-system:meshca-agent")),
                new ImmutableJWKSet<>(new JWKSet(k8s.key.toPublicJWK())),
                new FakeClock(Instant.now()));
    }

    @Override
    protected byte[] validEvidence() {
        return k8s.sign(K8sPsatAttestorTest.agentToken(ISS, "meshca-server", "meshca-system", "meshca-agent"))
                .getBytes(StandardCharsets.UTF_8);
    }
}
