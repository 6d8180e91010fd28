package io.meshca.server.attestation.node;

import io.meshca.common.testing.FakeClock;
import io.meshca.server.aws.InstanceIdentityVerifier;
import io.meshca.server.aws.TestAwsIdentity;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Set;

class AwsIidAttestorContractTest extends NodeAttestorContractTest {

    private static final TestAwsIdentity AWS = new TestAwsIdentity(7);

    @Override
    protected NodeAttestor attestor() {
        return new AwsIidAttestor(
                TD,
                new AwsIidConfig(Path.of("aws.pem"), Set.of(), false, null),
                new InstanceIdentityVerifier(List.of(AWS.certificate)),
                id -> false,
                new FakeClock(Instant.now()));
    }

    @Override
    protected byte[] validEvidence() {
        return AWS.payload(TestAwsIdentity.document(TestAwsIdentity.ACCOUNT, "i-0123456789abcdef0", Instant.now()));
    }
}
