package io.meshca.common.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshca.common.spiffe.SpiffeId;
import io.meshca.common.spiffe.TrustDomain;
import io.meshca.common.testing.TestPki;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class SpiffeTrustManagerTest {

    private static final TrustDomain TD = TrustDomain.parse("example.org");
    private static final SpiffeId WEB = SpiffeId.parse("spiffe://example.org/web");
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final Clock AT_T0 = Clock.fixed(T0.plusSeconds(3600), ZoneOffset.UTC);

    private final TestPki.Authority root = TestPki.root(TD, T0, T0.plusSeconds(86400));

    private static X509Certificate[] chain(TestPki.Leaf leaf) {
        return leaf.chain().toArray(new X509Certificate[0]);
    }

    @Test
    void chainThroughIntermediate_verifiesAndYieldsTheLeafsId() throws Exception {
        TestPki.Leaf leaf = root.intermediate(T0, T0.plusSeconds(86400)).leaf(WEB, T0, T0.plusSeconds(7200));
        var tm = new SpiffeTrustManager(() -> List.of(root.certificate()), SpiffeAuthorizers.is(WEB), AT_T0);

        assertThat(tm.verify(chain(leaf))).isEqualTo(WEB);
    }

    @Test
    void unauthorizedId_isRefusedNamingTheId() {
        TestPki.Leaf leaf = root.leaf(WEB, T0, T0.plusSeconds(7200));
        var tm = new SpiffeTrustManager(
                () -> List.of(root.certificate()),
                SpiffeAuthorizers.is(SpiffeId.parse("spiffe://example.org/db")),
                AT_T0);

        assertThatThrownBy(() -> tm.checkClientTrusted(chain(leaf), "EC"))
                .isInstanceOf(CertificateException.class)
                .hasMessage("peer SPIFFE ID spiffe://example.org/web is not authorized");
    }

    @Test
    void chainFromAnotherRoot_isRefused() {
        TestPki.Authority other = TestPki.root(TD, T0, T0.plusSeconds(86400));
        TestPki.Leaf leaf = other.leaf(WEB, T0, T0.plusSeconds(7200));
        var tm = new SpiffeTrustManager(() -> List.of(root.certificate()), id -> true, AT_T0);

        assertThatThrownBy(() -> tm.checkServerTrusted(chain(leaf), "EC"))
                .hasMessageStartingWith("peer certificate chain does not verify against the trust bundle");
    }

    @Test
    void expiredLeaf_isRefused() {
        TestPki.Leaf leaf = root.leaf(WEB, T0, T0.plusSeconds(60));
        var tm = new SpiffeTrustManager(() -> List.of(root.certificate()), id -> true, AT_T0);

        assertThatThrownBy(() -> tm.verify(chain(leaf)))
                .hasMessageStartingWith("peer certificate chain does not verify against the trust bundle");
    }

    @Test
    void leafWithoutSpiffeId_isRefused() {
        TestPki.Leaf leaf = root.issue(
                new TestPki.Profile(false, null, List.of("web.example.org")),
                TestPki.keyPair(),
                T0,
                T0.plusSeconds(7200));
        var tm = new SpiffeTrustManager(() -> List.of(root.certificate()), id -> true, AT_T0);

        assertThatThrownBy(() -> tm.verify(chain(leaf))).hasMessage("peer certificate has no SPIFFE ID (URI SAN)");
    }

    @Test
    void rotatedBundle_isUsedAtTheNextCheck() throws Exception {
        TestPki.Authority next = TestPki.root(TD, T0, T0.plusSeconds(86400));
        TestPki.Leaf leaf = next.leaf(WEB, T0, T0.plusSeconds(7200));
        AtomicReference<List<X509Certificate>> bundle = new AtomicReference<>(List.of(root.certificate()));
        var tm = new SpiffeTrustManager(bundle::get, id -> true, AT_T0);

        assertThatThrownBy(() -> tm.verify(chain(leaf))).isInstanceOf(CertificateException.class);
        bundle.set(List.of(root.certificate(), next.certificate()));
        assertThat(tm.verify(chain(leaf))).isEqualTo(WEB);
    }

    @Test
    void emptyChain_isRefused() {
        var tm = new SpiffeTrustManager(() -> List.of(root.certificate()), id -> true, AT_T0);
        assertThatThrownBy(() -> tm.verify(new X509Certificate[0])).hasMessage("peer presented no certificate");
    }

    @Test
    void pathUnder_acceptsOnlyIdsBelowThePrefixInTheDomain() {
        var agents = SpiffeAuthorizers.pathUnder(TD, "/meshca/agent");
        assertThat(agents.test(SpiffeId.parse("spiffe://example.org/meshca/agent/join_token/abc")))
                .isTrue();
        assertThat(agents.test(SpiffeId.parse("spiffe://example.org/meshca/agentx")))
                .isFalse();
        assertThat(agents.test(SpiffeId.parse("spiffe://other.org/meshca/agent/join_token/abc")))
                .isFalse();
    }
}
