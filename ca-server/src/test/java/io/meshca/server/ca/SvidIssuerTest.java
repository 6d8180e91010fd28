package io.meshca.server.ca;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshca.common.pki.Csrs;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.common.spiffe.TrustDomain;
import io.meshca.common.testing.FakeClock;
import io.meshca.common.testing.TestPki;
import io.meshca.server.audit.AuditChain;
import io.meshca.server.audit.AuditWriteException;
import io.meshca.server.audit.GroupCommitAuditLog.Mode;
import io.meshca.server.ca.signing.SignedSvid;
import io.meshca.server.model.AuditRecord;
import io.meshca.server.model.RegistrationEntry;
import io.meshca.server.testing.ServerCore;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What an issuance promises about its audit row with {@code auditWrites: sync}. */
class SvidIssuerTest {

    private static final TrustDomain TD = TrustDomain.parse("example.org");
    private static final SpiffeId AGENT = TD.withPath("/meshca/agent/join_token/a");

    private final FakeClock clock = new FakeClock(Instant.now());
    private final byte[] csr = Csrs.create(TestPki.keyPair());

    @RegisterExtension
    final ServerCore core = ServerCore.perTest(TD, clock, Mode.SYNC);

    private SvidIssuer issuer;
    private RegistrationEntry web;

    @BeforeEach
    void setUp() {
        issuer = core.issuer();
        web = core.entry("/web", AGENT);
    }

    @Test
    void sync_workloadSvid_isReturnedWithItsAuditRowAlreadyStored() {
        SignedSvid svid = issuer.issueWorkloadSvid(web, csr, AGENT);

        List<AuditRecord> rows = core.store().audit().read(0, 10);
        assertThat(rows).hasSize(1);
        assertThat(rows.get(0).action()).isEqualTo("x509svid.issue");
        assertThat(rows.get(0).subject()).isEqualTo(web.spiffeId().toString());
        assertThat(rows.get(0).detail()).contains("serial=" + svid.serial().toString(16));
    }

    @Test
    void sync_auditStoreFailure_withholdsEveryKindOfSvid() {
        core.auditStore().failing(true);
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
        assertThat(core.store().audit().read(0, 10)).isEmpty();
    }

    @Test
    void sync_afterTheStoreRecovers_issuanceResumes_andTheChainHasNoGap() {
        core.auditStore().failing(true);
        assertThatThrownBy(() -> issuer.issueWorkloadSvid(web, csr, AGENT)).isInstanceOf(AuditWriteException.class);
        core.auditStore().failing(false);

        issuer.issueWorkloadSvid(web, csr, AGENT);

        List<AuditRecord> rows = core.store().audit().read(0, 10);
        assertThat(rows).extracting(AuditRecord::seq).containsExactly(1L);
        assertThat(AuditChain.verify(null, rows)).isNull();
    }
}
