package io.meshca.common.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshca.common.spiffe.SpiffeId;
import io.meshca.common.spiffe.TrustDomain;
import org.junit.jupiter.api.Test;

class TestPkiTest {

    @Test
    void intermediatesAndLeaves_haveKeysOfTheirOwn() {
        TestPki.Authority root = TestPki.root(new TrustDomain("example.org"));
        TestPki.Authority intermediate = root.intermediate();
        var leaf = intermediate.leaf(SpiffeId.parse("spiffe://example.org/web"));

        assertThat(intermediate.keyPair().getPublic())
                .isNotEqualTo(root.keyPair().getPublic());
        assertThat(leaf.certificate().getPublicKey())
                .isNotEqualTo(intermediate.keyPair().getPublic())
                .isNotEqualTo(root.keyPair().getPublic());
        assertThat(leaf.chain()).hasSize(2);
    }
}
