package io.meshca.samples.identity;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshca.common.spiffe.SpiffeId;
import io.meshca.common.spiffe.TrustDomain;
import io.meshca.common.testing.TestPki;
import java.util.List;
import org.junit.jupiter.api.Test;

class IssuingCaTest {

    private static final TrustDomain DOMAIN = TrustDomain.parse("example.org");
    private static final SpiffeId ORDERS = SpiffeId.parse("spiffe://example.org/orders");

    @Test
    void aLeafSignedByTheRoot_isMatchedToItsRootInTheBundle() {
        TestPki.Authority old = TestPki.root(DOMAIN);
        TestPki.Authority current = TestPki.root(DOMAIN);
        TestPki.Leaf leaf = current.leaf(ORDERS);

        assertThat(IssuingCa.of(leaf.chain(), List.of(old.certificate(), current.certificate())))
                .contains(current.certificate());
    }

    @Test
    void aLeafUnderAnIntermediate_isIssuedByThatIntermediate() {
        TestPki.Authority root = TestPki.root(DOMAIN);
        TestPki.Authority intermediate = root.intermediate();
        TestPki.Leaf leaf = intermediate.leaf(ORDERS);

        assertThat(IssuingCa.of(leaf.chain(), List.of(root.certificate()))).contains(intermediate.certificate());
    }

    @Test
    void aCaWithTheIssuersNameButAnotherKey_isNotTheIssuer() {
        TestPki.Authority real = TestPki.root(DOMAIN);
        // claims the real CA's certificate (so its leaves name it as issuer) but signs with another key
        TestPki.Authority impostor = new TestPki.Authority(
                DOMAIN, real.certificate(), TestPki.root(DOMAIN).keyPair(), List.of(), real.certificate());

        assertThat(IssuingCa.of(impostor.leaf(ORDERS).chain(), List.of(real.certificate())))
                .isEmpty();
    }

    @Test
    void theFingerprint_isTheSha256OfTheDer_inLowercaseHex() {
        TestPki.Authority ca = TestPki.root(DOMAIN);

        assertThat(IssuingCa.fingerprint(ca.certificate()))
                .hasSize(64)
                .matches("[0-9a-f]+")
                .isEqualTo(IssuingCa.fingerprint(ca.certificate()))
                .isNotEqualTo(IssuingCa.fingerprint(TestPki.root(DOMAIN).certificate()));
    }
}
