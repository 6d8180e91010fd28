package io.meshca.agent.rotation;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshca.common.pki.KeyIdentifiers;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.common.spiffe.TrustDomain;
import io.meshca.common.testing.TestPki;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TaintedChainsTest {

    private static final TrustDomain DOMAIN = TrustDomain.parse("example.org");
    private static final TestPki.Authority ROOT = TestPki.root(DOMAIN);
    private static final TestPki.Authority INTERMEDIATE = ROOT.intermediate();
    private static final TestPki.Authority OTHER_ROOT = TestPki.root(DOMAIN);
    private static final SpiffeId WEB = SpiffeId.parse("spiffe://example.org/web");

    /** leaf -> intermediate; the root is not in the chain (as the server sends it). */
    private static final List<X509Certificate> VIA_INTERMEDIATE =
            INTERMEDIATE.leaf(WEB).chain();

    private static final List<X509Certificate> BY_ROOT = ROOT.leaf(WEB).chain();

    private static String ski(TestPki.Authority authority) {
        return KeyIdentifiers.subjectKeyId(authority.certificate()).orElseThrow();
    }

    static Stream<Arguments> chains() {
        return Stream.of(
                Arguments.of("the leaf's issuer", BY_ROOT, Set.of(ski(ROOT)), true),
                Arguments.of("an intermediate in the chain", VIA_INTERMEDIATE, Set.of(ski(INTERMEDIATE)), true),
                Arguments.of("the root above the chain", VIA_INTERMEDIATE, Set.of(ski(ROOT)), true),
                Arguments.of("the leaf's own key", BY_ROOT, Set.of(leafKey(BY_ROOT)), true),
                Arguments.of("one of several", BY_ROOT, Set.of("00ff", ski(ROOT)), true),
                Arguments.of("an unrelated authority", VIA_INTERMEDIATE, Set.of(otherSki()), false),
                Arguments.of("nothing", VIA_INTERMEDIATE, Set.of(), false));
    }

    @ParameterizedTest(name = "tainted: {0} -> {3}")
    @MethodSource("chains")
    void chainCarriesATaintedKey_asIssuerOrSubjectKeyAnywhereInIt(
            String scenario, List<X509Certificate> chain, Set<String> tainted, boolean expected) {
        assertThat(TaintedChains.carriesAny(chain, tainted)).isEqualTo(expected);
    }

    private static String leafKey(List<X509Certificate> chain) {
        return KeyIdentifiers.subjectKeyId(chain.get(0)).orElseThrow();
    }

    /** TestPki reuses a pool of keys: make sure the unrelated one is unrelated. */
    private static String otherSki() {
        String other = ski(OTHER_ROOT);
        assertThat(other).isNotIn(ski(ROOT), ski(INTERMEDIATE), leafKey(VIA_INTERMEDIATE));
        return other;
    }
}
