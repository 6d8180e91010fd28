package io.meshca.server.attestation.node;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import io.meshca.common.testing.FakeClock;
import java.time.Instant;
import java.util.Map;

class AzureMsiAttestorContractTest extends NodeAttestorContractTest {

    private static final String TENANT = AzureMsiAttestorTest.TENANT;
    private static final String RESOURCE = "https://management.azure.com/";

    @Override
    protected NodeAttestor attestor() {
        return new AzureMsiAttestor(
                TD,
                new AzureMsiConfig(Map.of(TENANT, new AzureMsiConfig.Tenant(TENANT, RESOURCE, null)), false),
                Map.of(TENANT, new ImmutableJWKSet<>(new JWKSet(AzureMsiAttestorTest.ENTRA.toPublicJWK()))),
                agentId -> false,
                new FakeClock(Instant.now()));
    }

    @Override
    protected byte[] validEvidence() {
        return AzureMsiAttestorTest.payload(AzureMsiAttestorTest.sign(
                AzureMsiAttestorTest.msiToken(TENANT, RESOURCE, Instant.now()), AzureMsiAttestorTest.ENTRA));
    }
}
