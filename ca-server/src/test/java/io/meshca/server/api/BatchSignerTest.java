package io.meshca.server.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.meshca.common.error.ResourceExhaustedException;
import io.meshca.common.pki.Certificates;
import io.meshca.common.pki.Csrs;
import io.meshca.common.spiffe.Selector;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.common.spiffe.TrustDomain;
import io.meshca.common.testing.FakeClock;
import io.meshca.common.testing.TestPki;
import io.meshca.proto.server.v1.SvidSigningRequest;
import io.meshca.proto.server.v1.SvidSigningResult;
import io.meshca.server.api.admission.SigningAdmission;
import io.meshca.server.audit.GroupCommitAuditLog;
import io.meshca.server.audit.GroupCommitAuditLog.Mode;
import io.meshca.server.ca.SvidIssuer;
import io.meshca.server.ca.signing.X509SvidSigner;
import io.meshca.server.model.AgentRecord;
import io.meshca.server.model.RegistrationEntry;
import io.meshca.server.registration.AgentAuthorizer;
import io.meshca.server.testing.FaultyAuditStore;
import io.meshca.server.testing.ServerCore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class BatchSignerTest {

    private static final TrustDomain TD = TrustDomain.parse("example.org");
    private static final SpiffeId AGENT = TD.withPath("/meshca/agent/join_token/a");

    private final FakeClock clock = new FakeClock(Instant.now());
    private final ExecutorService pool = Executors.newFixedThreadPool(2);
    private final AtomicInteger tasks = new AtomicInteger();

    @RegisterExtension
    final ServerCore core = ServerCore.perTest(TD, clock);

    private final SigningAdmission admission = new SigningAdmission(1000, clock);

    private BatchSigner signer;
    private AgentRecord agent;
    private AgentAuthorizer authorizer;

    @BeforeEach
    void setUp() {
        authorizer = new AgentAuthorizer(core.serverId(), core.store().entries(), clock);
        signer = new BatchSigner(
                authorizer,
                core.issuer(),
                task -> {
                    tasks.incrementAndGet();
                    pool.execute(task);
                },
                2,
                admission);
        agent = core.agent(AGENT, Selector.parse("join_token:a"));
    }

    @AfterEach
    void tearDown() {
        pool.shutdownNow();
    }

    private RegistrationEntry entry(String path, SpiffeId parent) {
        return core.entry(path, parent);
    }

    private static SvidSigningRequest request(String entryId, byte[] csr) {
        return SvidSigningRequest.newBuilder()
                .setEntryId(entryId)
                .setCsr(ByteString.copyFrom(csr))
                .build();
    }

    @Test
    void batch_isSharedOutAsFewTasks_andEveryResultIsItsOwnRequestsInOrder() {
        RegistrationEntry web = entry("/web", AGENT);
        RegistrationEntry db = entry("/db", AGENT);
        RegistrationEntry foreign = entry("/not-mine", TD.withPath("/meshca/agent/join_token/b"));
        byte[] csr = Csrs.create(TestPki.keyPair());
        List<SvidSigningRequest> requests = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            String id = switch (i % 5) {
                case 0 -> web.id();
                case 1 -> db.id();
                case 2 -> foreign.id();
                case 3 -> "no-such-entry";
                default -> web.id();
            };
            requests.add(request(id, i % 5 == 4 ? new byte[] {0x30, 0x00} : csr));
        }

        List<SvidSigningResult> results = signer.sign(agent, requests);

        assertThat(tasks.get()).as("tasks handed to the pool for one batch").isEqualTo(2);
        assertThat(results).hasSize(30);
        for (int i = 0; i < 30; i++) {
            SvidSigningResult r = results.get(i);
            assertThat(r.getEntryId()).isEqualTo(requests.get(i).getEntryId());
            switch (i % 5) {
                case 0, 1 -> {
                    SpiffeId expected = i % 5 == 0 ? web.spiffeId() : db.spiffeId();
                    var leaf = Certificates.parse(r.getSvid().getCertChain(0).toByteArray());
                    assertThat(Certificates.spiffeId(leaf)).contains(expected);
                }
                case 2, 3 -> assertThat(r.getErrorCode()).isEqualTo("PERMISSION_DENIED");
                default -> assertThat(r.getErrorCode()).isEqualTo("INVALID_ARGUMENT");
            }
        }
    }

    @Test
    void batchOfOne_isSignedOnTheCallingThread() {
        RegistrationEntry web = entry("/web", AGENT);

        List<SvidSigningResult> results =
                signer.sign(agent, List.of(request(web.id(), Csrs.create(TestPki.keyPair()))));

        assertThat(tasks.get()).isZero();
        assertThat(results)
                .singleElement()
                .satisfies(r -> assertThat(r.hasSvid()).isTrue());
    }

    @Test
    void batchThatDoesNotFitTheQueue_isRefusedWhole_beforeAnythingIsSigned() {
        RegistrationEntry web = entry("/web", AGENT);
        byte[] csr = Csrs.create(TestPki.keyPair());
        SigningAdmission.Permit others = admission.admit(999);

        assertThatThrownBy(() -> signer.sign(agent, List.of(request(web.id(), csr), request(web.id(), csr))))
                .isInstanceOf(ResourceExhaustedException.class)
                .hasMessageStartingWith("signing queue full: 999 of 1000 CSRs queued, 2 more asked");
        assertThat(tasks).hasValue(0);
        assertThat(admission.inUse()).isEqualTo(999);

        others.close();
        List<SvidSigningResult> results = signer.sign(agent, List.of(request(web.id(), csr), request("nope", csr)));
        assertThat(results.get(0).hasSvid()).isTrue();
        assertThat(results.get(1).getErrorCode()).isEqualTo("PERMISSION_DENIED");
        assertThat(admission.inUse())
                .as("slots given back, refused items included")
                .isZero();
    }

    @Test
    void syncAudit_storeFailure_isUnavailable_andNoSvidIsReturned() {
        RegistrationEntry web = entry("/web", AGENT);
        FaultyAuditStore failing = new FaultyAuditStore(core.store().audit());
        failing.failing(true);
        try (GroupCommitAuditLog syncAudit = new GroupCommitAuditLog(failing, core.auditSpool(), clock, Mode.SYNC)) {
            SvidIssuer issuer = new SvidIssuer(
                    new X509SvidSigner(core.ca()::activeAuthority, clock),
                    syncAudit,
                    Duration.ofHours(1),
                    Duration.ofHours(1));
            BatchSigner syncSigner = new BatchSigner(authorizer, issuer, pool, 2, admission);
            byte[] csr = Csrs.create(TestPki.keyPair());

            List<SvidSigningResult> results =
                    syncSigner.sign(agent, List.of(request(web.id(), csr), request(web.id(), csr)));

            assertThat(results).hasSize(2).allSatisfy(r -> {
                assertThat(r.hasSvid()).isFalse();
                assertThat(r.getErrorCode()).isEqualTo("UNAVAILABLE");
                assertThat(r.getErrorMessage()).startsWith("audit row not written");
            });
        }
    }
}
