package io.meshca.server.istio;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshca.common.spiffe.SpiffeId;
import io.meshca.common.spiffe.TrustDomain;
import io.meshca.common.testing.TestPki;
import java.security.cert.X509Certificate;
import java.util.List;
import org.junit.jupiter.api.Test;

class IstioChainTest {

    private static final TrustDomain TD = TrustDomain.parse("chain.test");
    private static final SpiffeId ID = SpiffeId.parse("spiffe://chain.test/ns/a/sa/b");

    @Test
    void duringRotation_theRootThatAnchorsTheLeafIsLast_whateverTheBundleOrder() {
        TestPki.Authority old = TestPki.root(TD);
        TestPki.Authority next = TestPki.root(TD);
        TestPki.Leaf leaf = next.leaf(ID);

        List<X509Certificate> chain = IstioChain.of(leaf.chain(), List.of(next.certificate(), old.certificate()));

        assertThat(chain).containsExactly(leaf.certificate(), old.certificate(), next.certificate());
    }

    @Test
    void intermediatesFollowTheLeaf_beforeTheRoot() {
        TestPki.Authority root = TestPki.root(TD);
        TestPki.Authority intermediate = root.intermediate();
        TestPki.Leaf leaf = intermediate.leaf(ID);

        List<X509Certificate> chain = IstioChain.of(leaf.chain(), List.of(root.certificate()));

        assertThat(chain).containsExactly(leaf.certificate(), intermediate.certificate(), root.certificate());
    }
}
