package io.meshca.samples.tls;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.spiffe.provider.SpiffeVerificationException;
import io.spiffe.spiffeid.SpiffeId;
import java.security.cert.X509Certificate;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PeerPolicyTest {

    private static final SpiffeId ORDERS = SpiffeId.parse("spiffe://example.org/orders");

    @Test
    void theAllowedId_passes() {
        assertThatCode(() -> PeerPolicy.only("payments", ORDERS).verify(ORDERS, new X509Certificate[0]))
                .doesNotThrowAnyException();
    }

    @Test
    void anyOtherId_isRefused_namingItAndWhatIsAllowed() {
        SpiffeId other = SpiffeId.parse("spiffe://example.org/orders-v2");
        assertThatThrownBy(() -> PeerPolicy.only("payments", ORDERS).verify(other, new X509Certificate[0]))
                .isInstanceOf(SpiffeVerificationException.class)
                .hasMessage(
                        "payments refuses peer spiffe://example.org/orders-v2: only spiffe://example.org/orders may connect");
    }

    @Test
    void aSameNamedIdOfAnotherTrustDomain_isRefused() {
        assertThatThrownBy(() -> PeerPolicy.only("payments", ORDERS)
                        .verify(SpiffeId.parse("spiffe://evil.org/orders"), new X509Certificate[0]))
                .isInstanceOf(SpiffeVerificationException.class);
    }

    @Test
    void anEmptyPolicy_isRejected() {
        assertThatThrownBy(() -> new PeerPolicy("payments", Set.of())).isInstanceOf(IllegalArgumentException.class);
    }
}
