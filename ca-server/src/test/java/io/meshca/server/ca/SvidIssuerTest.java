package io.meshca.server.ca;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshca.common.pki.Csrs;
import io.meshca.common.spiffe.Selector;
import io.meshca.common.spiffe.SelectorSet;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.common.spiffe.TrustDomain;
import io.meshca.common.testing.FakeClock;
import io.meshca.common.testing.TestPki;
import io.meshca.server.audit.AuditChain;
import io.meshca.server.audit.AuditWriteException;
import io.meshca.server.audit.GroupCommitAuditLog;
import io.meshca.server.audit.GroupCommitAuditLog.Mode;
import io.meshca.server.ca.keys.MemoryKeyManager;
import io.meshca.server.ca.signing.SignedSvid;
import io.meshca.server.ca.signing.X509SvidSigner;
import io.meshca.server.datastore.DataStore;
import io.meshca.server.model.AuditRecord;
import io.meshca.server.model.RegistrationEntry;
import io.meshca.server.testing.FaultyAuditStore;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What an issuance promises about its audit row with {@code auditWrites: sync}. */
class SvidIssuerTest {

    private static final TrustDomain TD = TrustDomain.parse("example.org");
    private static final SpiffeId AGENT = TD.withPath("/meshca/agent/join_token/a");

    @TempDir
    Path dir;

    private final FakeClock clock = new FakeClock(Instant.now());
    private final byte[] csr = Csrs.create(TestPki.keyPair());
    private DataStore store;
    private FaultyAuditStore auditStore;
    private GroupCommitAuditLog audit;
    private SvidIssuer issuer;
    private RegistrationEntry web;

    @BeforeEach
    void setUp() {
        store = DataStore.sqlite(dir, clock);
        auditStore = new FaultyAuditStore(store.audit());
        audit = new GroupCommitAuditLog(auditStore, clock, Mode.SYNC);
        CaManager ca = new CaManager(TD, new MemoryKeyManager(), store.bundle(), Duration.ofHours(24), clock);
        ca.initialize();
        issuer = new SvidIssuer(
                new X509SvidSigner(ca::activeAuthority, clock), audit, Duration.ofHours(1), Duration.ofHours(1));
        web = store.entries()
                .create(RegistrationEntry.draft(
                        TD.withPath("/web"), AGENT, SelectorSet.of(Selector.parse("unix:uid:1"))));
    }

    @AfterEach
    void tearDown() {
        audit.close();
        store.close();
    }

    @Test
    void sync_workloadSvid_isReturnedWithItsAuditRowAlreadyStored() {
        SignedSvid svid = issuer.issueWorkloadSvid(web, csr, AGENT);

        List<AuditRecord> rows = store.audit().read(0, 10);
        assertThat(rows).hasSize(1);
        assertThat(rows.get(0).action()).isEqualTo("x509svid.issue");
        assertThat(rows.get(0).subject()).isEqualTo(web.spiffeId().toString());
        assertThat(rows.get(0).detail()).contains("serial=" + svid.serial().toString(16));
    }

    @Test
    void sync_auditStoreFailure_withholdsEveryKindOfSvid() {
        auditStore.failing(true);
        AtomicReference<Object> handedOut = new AtomicReference<>();

        assertThatThrownBy(() -> handedOut.set(issuer.issueWorkloadSvid(web, csr, AGENT)))
                .isInstanceOf(AuditWriteException.class)
                .hasMessageStartingWith("audit row not written");
        assertThatThrownBy(() -> handedOut.set(issuer.issueAgentSvid(AGENT, csr, "renew")))
                .isInstanceOf(AuditWriteException.class);
        assertThatThrownBy(() -> handedOut.set(issuer.issueAuthenticatedSvid(
                        TD.withPath("/ns/default/sa/web"),
                        csr,
                        Duration.ZERO,
                        "spiffe://example.org/ns/default/sa/web",
                        "istio")))
                .isInstanceOf(AuditWriteException.class);

        assertThat(handedOut.get())
                .as("certificate handed out despite the failed audit write")
                .isNull();
        assertThat(store.audit().read(0, 10)).isEmpty();
    }

    @Test
    void sync_afterTheStoreRecovers_issuanceResumes_andTheChainHasNoGap() {
        auditStore.failing(true);
        assertThatThrownBy(() -> issuer.issueWorkloadSvid(web, csr, AGENT)).isInstanceOf(AuditWriteException.class);
        auditStore.failing(false);

        issuer.issueWorkloadSvid(web, csr, AGENT);

        List<AuditRecord> rows = store.audit().read(0, 10);
        assertThat(rows).extracting(AuditRecord::seq).containsExactly(1L);
        assertThat(AuditChain.verify(null, rows)).isNull();
    }
}
