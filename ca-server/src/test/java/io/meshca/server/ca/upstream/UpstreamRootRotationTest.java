package io.meshca.server.ca.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshca.common.pki.KeyIdentifiers;
import io.meshca.common.pki.Keys;
import io.meshca.common.spiffe.TrustDomain;
import io.meshca.common.testing.FakeClock;
import io.meshca.server.ca.AuthorityRotator;
import io.meshca.server.ca.CaManager;
import io.meshca.server.ca.keys.MemoryKeyManager;
import io.meshca.server.ca.signing.SvidRequest;
import io.meshca.server.ca.signing.X509SvidSigner;
import io.meshca.server.ca.upstream.CorporatePki.Ca;
import io.meshca.server.datastore.DataStore;
import java.nio.file.Path;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CA manager under a disk upstream: the server's CAs are intermediates, the bundle holds the upstream
 * roots, and a root rotation (add the new root, switch the signing CA, prepare + activate, taint + revoke
 * the old root) keeps every SVID verifiable against the bundle served at the same moment.
 */
class UpstreamRootRotationTest {

    private static final TrustDomain TD = TrustDomain.parse("example.org");
    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    private static final Duration CA_TTL = Duration.ofHours(1);

    @TempDir
    Path dir;

    private final FakeClock clock = new FakeClock(NOW);
    private DataStore store;

    @AfterEach
    void tearDown() {
        if (store != null) {
            store.close();
        }
    }

    @Test
    void aRootRotation_keepsEverySvidVerifiable_andTheOldRootLeavesOnlyWhenRevoked() throws Exception {
        Ca oldRoot = CorporatePki.root("Old Root", NOW.minus(Duration.ofDays(30)), NOW.plus(Duration.ofDays(365)));
        Ca newRoot = CorporatePki.root("New Root", NOW.minus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(3650)));
        Path cert = CorporatePki.writeCertificates(dir.resolve("upstream.pem"), oldRoot.certificate());
        Path key = CorporatePki.writePkcs8Key(dir.resolve("upstream.key"), oldRoot.keyPair());
        Path bundle = CorporatePki.writeCertificates(dir.resolve("roots.pem"), oldRoot.certificate());
        DiskUpstreamAuthority upstream = new DiskUpstreamAuthority(
                new UpstreamFiles("plugins.upstreamAuthority.disk", cert, key, bundle), clock);
        store = DataStore.sqlite(dir.resolve("data"), clock);
        CaManager ca = new CaManager(TD, new MemoryKeyManager(), upstream, store.bundle(), CA_TTL, clock);
        ca.initialize();
        AuthorityRotator rotator = new AuthorityRotator(ca, List.of(ca.x509Slots()), clock, valid -> {});
        X509SvidSigner signer = new X509SvidSigner(ca::activeAuthority, clock);

        assertThat(ca.x509Authorities()).containsExactly(oldRoot.certificate());
        assertThat(ca.x509Slots().activeStored().upstreamAuthorityId())
                .contains(KeyIdentifiers.authorityId(oldRoot.certificate()));
        verify(signer, ca);

        // 1. the new root joins the bundle file: published at the next check, before anything chains to it
        CorporatePki.writeCertificates(bundle, oldRoot.certificate(), newRoot.certificate());
        rotator.tick();
        assertThat(ca.x509Authorities()).containsExactlyInAnyOrder(oldRoot.certificate(), newRoot.certificate());
        verify(signer, ca);

        // 2. switch the signing CA, 3. prepare + activate
        CorporatePki.writeCertificates(cert, newRoot.certificate());
        CorporatePki.writePkcs8Key(key, newRoot.keyPair());
        String prepared = ca.x509Slots().prepareNow().authorityId();
        ca.x509Slots().activate(prepared);
        assertThat(ca.x509Slots().activeStored().upstreamAuthorityId())
                .contains(KeyIdentifiers.authorityId(newRoot.certificate()));
        verify(signer, ca);

        // 4. taint the old root (the new one still signs, so it cannot be), then revoke it
        String oldId = KeyIdentifiers.authorityId(oldRoot.certificate());
        String newId = KeyIdentifiers.authorityId(newRoot.certificate());
        assertThatThrownBy(() -> ca.upstreamRoots().revoke(oldId)).hasMessageContaining("taint it first");
        assertThatThrownBy(() -> ca.upstreamRoots().taint(newId))
                .hasMessageContaining("still signs the active X.509 authority");
        ca.upstreamRoots().taint(oldId);
        assertThat(ca.taintedX509AuthorityIds()).containsExactly(oldId);
        assertThat(ca.x509Authorities()).contains(oldRoot.certificate());
        ca.upstreamRoots().revoke(oldId);
        assertThat(ca.x509Authorities()).containsExactly(newRoot.certificate());
        assertThat(ca.taintedX509AuthorityIds()).isEmpty();
        verify(signer, ca);

        // the bundle file still lists the old root: revoked stays revoked
        rotator.tick();
        assertThat(ca.x509Authorities()).containsExactly(newRoot.certificate());
    }

    private void verify(X509SvidSigner signer, CaManager ca) throws Exception {
        List<X509Certificate> chain = signer.sign(new SvidRequest(
                TD.withPath("/w"), Keys.generateEcP256().getPublic(), List.of(), Duration.ofMinutes(5)));
        assertThat(chain).hasSize(2).doesNotContainAnyElementsOf(ca.x509Authorities());
        PKIXParameters params = new PKIXParameters(
                ca.x509Authorities().stream().map(c -> new TrustAnchor(c, null)).collect(Collectors.toSet()));
        params.setRevocationEnabled(false);
        params.setDate(Date.from(clock.instant()));
        CertPathValidator.getInstance("PKIX")
                .validate(CertificateFactory.getInstance("X.509").generateCertPath(chain), params);
    }
}
