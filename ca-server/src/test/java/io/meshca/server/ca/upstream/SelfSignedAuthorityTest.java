package io.meshca.server.ca.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshca.server.ca.signing.X509SvidSigner;
import java.time.Clock;
import org.junit.jupiter.api.Test;

class SelfSignedAuthorityTest extends UpstreamAuthorityContractTest {

    @Override
    protected UpstreamAuthority authority(Clock clock) {
        return new SelfSignedAuthority(clock);
    }

    @Test
    void none_mintsASelfSignedRoot_backdatedLikeEverySvid() throws Exception {
        MintedX509Ca minted = authority(clock).mintX509Ca(TD, caKey("root"), TTL);

        assertThat(minted.upstreamChain()).isEmpty();
        assertThat(minted.isSelfSigned()).isTrue();
        assertThat(authority(clock).x509Roots())
                .as("the CA is its own root: no upstream root")
                .isEmpty();
        assertThat(minted.certificate().getSubjectX500Principal())
                .isEqualTo(minted.certificate().getIssuerX500Principal());
        assertThat(minted.certificate().getNotBefore().toInstant()).isEqualTo(NOW.minus(X509SvidSigner.BACKDATE));
    }
}
