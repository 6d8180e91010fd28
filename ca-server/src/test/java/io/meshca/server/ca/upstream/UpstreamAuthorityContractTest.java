package io.meshca.server.ca.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshca.common.spiffe.TrustDomain;
import io.meshca.common.testing.FakeClock;
import io.meshca.server.ca.keys.MemoryKeyManager;
import io.meshca.server.ca.keys.SigningKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What every UpstreamAuthority promises about the CA certificate it mints; one subclass per authority. */
abstract class UpstreamAuthorityContractTest {

    protected static final TrustDomain TD = TrustDomain.parse("example.org");
    protected static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    protected static final Duration TTL = Duration.ofHours(24);

    /** keyUsage bit of keyCertSign (RFC 5280 section 4.2.1.3). */
    private static final int KEY_CERT_SIGN = 5;

    protected final FakeClock clock = new FakeClock(NOW);
    private final MemoryKeyManager keys = new MemoryKeyManager();

    /** The authority under test, reading time from {@code clock}. */
    protected abstract UpstreamAuthority authority(Clock clock);

    protected SigningKey caKey(String id) {
        return keys.generate(id);
    }

    @Test
    void caCertificate_certifiesTheKey_asACaOfTheTrustDomain() throws Exception {
        SigningKey key = caKey("ca-1");

        X509Certificate cert = authority(clock).mintX509Ca(TD, key, TTL).certificate();

        assertThat(cert.getPublicKey()).isEqualTo(key.publicKey());
        assertThat(cert.getBasicConstraints()).as("CA=true").isNotEqualTo(-1);
        assertThat(cert.getKeyUsage()[KEY_CERT_SIGN]).as("keyCertSign").isTrue();
        assertThat(cert.getCriticalExtensionOIDs()).contains("2.5.29.19", "2.5.29.15");
        assertThat(cert.getSubjectAlternativeNames())
                .containsExactly(List.of(6, TD.id().toString()));
    }

    @Test
    void validity_startsByNow_andEndsAfterTheTtlAsked() {
        X509Certificate cert =
                authority(clock).mintX509Ca(TD, caKey("ca-2"), TTL).certificate();

        assertThat(cert.getNotBefore().toInstant()).isBeforeOrEqualTo(NOW);
        assertThat(cert.getNotAfter().toInstant()).isEqualTo(NOW.plus(TTL));
    }

    @Test
    void validity_followsTheClock() {
        clock.advance(Duration.ofDays(3));

        X509Certificate cert = authority(clock)
                .mintX509Ca(TD, caKey("ca-3"), Duration.ofHours(2))
                .certificate();

        assertThat(cert.getNotAfter().toInstant())
                .isEqualTo(NOW.plus(Duration.ofDays(3)).plus(Duration.ofHours(2)));
    }

    @Test
    void caCertificate_verifiesUnderItsIssuer_andTheChainHoldsOnlyCas() throws Exception {
        MintedX509Ca minted = authority(clock).mintX509Ca(TD, caKey("ca-4"), TTL);

        X509Certificate issuer = minted.upstreamChain().isEmpty()
                ? minted.certificate()
                : minted.upstreamChain().get(0);
        minted.certificate().verify(issuer.getPublicKey());
        assertThat(minted.certificate().getIssuerX500Principal()).isEqualTo(issuer.getSubjectX500Principal());
        for (X509Certificate upstream : minted.upstreamChain()) {
            assertThat(upstream.getBasicConstraints()).isNotEqualTo(-1);
        }
    }

    @Test
    void eachCa_getsItsOwnSerial() {
        UpstreamAuthority authority = authority(clock);

        X509Certificate a = authority.mintX509Ca(TD, caKey("ca-5"), TTL).certificate();
        X509Certificate b = authority.mintX509Ca(TD, caKey("ca-6"), TTL).certificate();

        assertThat(a.getSerialNumber()).isNotEqualTo(b.getSerialNumber());
        assertThat(b.getPublicKey()).isNotEqualTo(a.getPublicKey());
    }

    @Test
    void aTtlThatIsNotPositive_isRefused() {
        SigningKey key = caKey("ca-7");

        assertThatThrownBy(() -> authority(clock).mintX509Ca(TD, key, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> authority(clock).mintX509Ca(TD, key, Duration.ofHours(-1)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
