package io.meshca.server.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.meshca.common.grpc.ErrorMappingInterceptor;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.common.spiffe.TrustDomain;
import io.meshca.common.testing.FakeClock;
import io.meshca.proto.server.v1.CreateEntryRequest;
import io.meshca.proto.server.v1.EntriesGrpc;
import io.meshca.proto.server.v1.Entry;
import io.meshca.proto.server.v1.GenerateJoinTokenRequest;
import io.meshca.proto.server.v1.JoinTokensGrpc;
import io.meshca.proto.server.v1.ListEntriesRequest;
import io.meshca.proto.server.v1.Selector;
import io.meshca.proto.server.v1.UpdateEntryRequest;
import io.meshca.server.api.admin.EntriesService;
import io.meshca.server.api.admin.JoinTokensService;
import io.meshca.server.api.interceptor.AdminAuditInterceptor;
import io.meshca.server.attestation.node.JoinTokenIssuer;
import io.meshca.server.attestation.node.JoinTokens;
import io.meshca.server.audit.GroupCommitAuditLog;
import io.meshca.server.model.AuditRecord;
import io.meshca.server.registration.EntryValidator;
import io.meshca.server.registration.Registrar;
import io.meshca.server.testing.FaultyAuditStore;
import io.meshca.server.testing.InProcessGrpc;
import io.meshca.server.testing.ServerCore;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Admin services in process (direct executor) over a real SQLite datastore. */
class AdminServicesTest {

    private static final TrustDomain TD = TrustDomain.parse("example.org");
    private static final SpiffeId SERVER = TD.withPath("/meshca/server");

    private final FakeClock clock = new FakeClock(Instant.parse("2026-03-01T12:00:00Z"));

    @RegisterExtension
    final ServerCore core = ServerCore.perTest(TD, clock);

    private InProcessGrpc grpc;
    private EntriesGrpc.EntriesBlockingStub entries;
    private JoinTokensGrpc.JoinTokensBlockingStub tokens;

    @BeforeEach
    void setUp() throws Exception {
        EntryValidator validator = new EntryValidator(TD);
        Registrar registrar = new Registrar(validator, core.store().entries());
        JoinTokenIssuer issuer = new JoinTokenIssuer(
                new JoinTokens(TD, core.store().joinTokens(), clock),
                registrar,
                validator,
                SERVER,
                Duration.ofSeconds(600));
        AdminAuditInterceptor auditing = new AdminAuditInterceptor(core.audit(), "admin:test");
        ErrorMappingInterceptor errors = new ErrorMappingInterceptor();
        grpc = InProcessGrpc.start(
                ServerInterceptors.intercept(new EntriesService(registrar), errors, auditing),
                ServerInterceptors.intercept(new JoinTokensService(issuer), errors, auditing));
        entries = EntriesGrpc.newBlockingStub(grpc.channel());
        tokens = JoinTokensGrpc.newBlockingStub(grpc.channel());
    }

    @AfterEach
    void tearDown() {
        grpc.close();
    }

    private static Entry.Builder entry(String spiffeId, String parentId, String type, String value) {
        return Entry.newBuilder()
                .setSpiffeId(spiffeId)
                .setParentId(parentId)
                .addSelectors(Selector.newBuilder().setType(type).setValue(value));
    }

    private static Status.Code code(Runnable call) {
        try {
            call.run();
            return Status.Code.OK;
        } catch (StatusRuntimeException e) {
            return e.getStatus().getCode();
        }
    }

    @Test
    void createGetUpdate_roundTrip() {
        Entry created = entries.createEntry(CreateEntryRequest.newBuilder()
                .setEntry(entry("spiffe://example.org/web", "spiffe://example.org/node1", "unix", "uid:1000")
                        .addDnsNames("web.local")
                        .setX509SvidTtl(300))
                .build());

        assertThat(created.getId()).isNotEmpty();
        assertThat(created.getRevision()).isPositive();
        Entry updated = entries.updateEntry(UpdateEntryRequest.newBuilder()
                .setEntry(created.toBuilder().clearDnsNames().addDnsNames("api.local"))
                .build());
        assertThat(updated.getDnsNamesList()).containsExactly("api.local");
        assertThat(updated.getRevision()).isGreaterThan(created.getRevision());
    }

    @Test
    void invalidEntries_areInvalidArgument_andNothingIsStored() {
        assertThat(code(() -> entries.createEntry(CreateEntryRequest.newBuilder()
                        .setEntry(entry("spiffe://example.org/web", "not-an-id", "unix", "uid:1"))
                        .build())))
                .isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(code(() -> entries.createEntry(CreateEntryRequest.newBuilder()
                        .setEntry(Entry.newBuilder()
                                .setSpiffeId("spiffe://example.org/web")
                                .setParentId("spiffe://example.org/n"))
                        .build())))
                .isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(code(() -> entries.createEntry(CreateEntryRequest.newBuilder()
                        .setEntry(entry("spiffe://example.org/web", "spiffe://example.org/n", "unix", "uid:1")
                                .setId("chosen"))
                        .build())))
                .isEqualTo(Status.Code.INVALID_ARGUMENT);

        assertThat(entries.listEntries(ListEntriesRequest.getDefaultInstance()).getEntriesList())
                .isEmpty();
    }

    @Test
    void listEntries_pagesWithTokens() {
        for (int i = 0; i < 5; i++) {
            entries.createEntry(CreateEntryRequest.newBuilder()
                    .setEntry(entry("spiffe://example.org/w" + i, "spiffe://example.org/n", "unix", "uid:" + i))
                    .build());
        }
        var first = entries.listEntries(
                ListEntriesRequest.newBuilder().setPageSize(3).build());
        var second = entries.listEntries(ListEntriesRequest.newBuilder()
                .setPageSize(3)
                .setPageToken(first.getNextPageToken())
                .build());

        assertThat(first.getEntriesCount()).isEqualTo(3);
        assertThat(second.getEntriesCount()).isEqualTo(2);
        assertThat(second.getNextPageToken()).isEmpty();
    }

    @Test
    void joinTokenWithSpiffeId_createsANodeAliasSelectingTheTokensAgent() {
        var token = tokens.generateJoinToken(GenerateJoinTokenRequest.newBuilder()
                .setSpiffeId("spiffe://example.org/node1")
                .build());

        var aliases = entries.listEntries(ListEntriesRequest.newBuilder()
                        .setByParentId(SERVER.toString())
                        .build())
                .getEntriesList();
        assertThat(aliases).hasSize(1);
        assertThat(aliases.get(0).getSpiffeId()).isEqualTo("spiffe://example.org/node1");
        assertThat(aliases.get(0).getSelectorsList())
                .containsExactly(Selector.newBuilder()
                        .setType("join_token")
                        .setValue(token.getId())
                        .build());
        assertThat(token.getExpiresAt())
                .isEqualTo(clock.instant().plusSeconds(600).getEpochSecond());
    }

    @Test
    void joinTokenWithForeignAlias_isRefused_andNoTokenIsMade() {
        assertThatThrownBy(() -> tokens.generateJoinToken(GenerateJoinTokenRequest.newBuilder()
                        .setSpiffeId("spiffe://other.org/node1")
                        .build()))
                .isInstanceOfSatisfying(
                        StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
        assertThat(entries.listEntries(ListEntriesRequest.getDefaultInstance()).getEntriesList())
                .isEmpty();
    }

    @Test
    void adminActions_areAudited_withoutTheTokenSecret() {
        var token = tokens.generateJoinToken(
                GenerateJoinTokenRequest.newBuilder().setTtlSeconds(60).build());
        entries.createEntry(CreateEntryRequest.newBuilder()
                .setEntry(entry("spiffe://example.org/web", "spiffe://example.org/n", "unix", "uid:1"))
                .build());
        entries.listEntries(ListEntriesRequest.getDefaultInstance());
        core.audit().flush();

        List<AuditRecord> rows = core.store().audit().read(0, 100);
        assertThat(rows)
                .extracting(AuditRecord::action)
                .containsExactly("admin.GenerateJoinToken", "admin.CreateEntry");
        assertThat(rows.get(1).subject()).contains("spiffe://example.org/web");
        assertThat(rows.toString()).doesNotContain(token.getToken());
    }

    @Test
    void syncAudit_storeFailure_turnsASuccessfulCallIntoUnavailable_insteadOfHangingOrSayingOk() throws Exception {
        FaultyAuditStore failing = new FaultyAuditStore(core.store().audit());
        failing.failing(true);
        try (GroupCommitAuditLog syncAudit =
                        new GroupCommitAuditLog(failing, core.auditSpool(), clock, GroupCommitAuditLog.Mode.SYNC);
                InProcessGrpc sync = InProcessGrpc.start(ServerInterceptors.intercept(
                        new EntriesService(new Registrar(
                                new EntryValidator(TD), core.store().entries())),
                        new ErrorMappingInterceptor(),
                        new AdminAuditInterceptor(syncAudit, "admin:test")))) {
            // The deadline turns a call that is never closed into a failure instead of a hung test.
            var stub = EntriesGrpc.newBlockingStub(sync.channel()).withDeadlineAfter(10, TimeUnit.SECONDS);
            assertThatThrownBy(() -> stub.createEntry(CreateEntryRequest.newBuilder()
                            .setEntry(entry("spiffe://example.org/web", "spiffe://example.org/node1", "unix", "uid:1"))
                            .build()))
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
                        assertThat(e.getStatus().getDescription())
                                .isEqualTo(
                                        "CreateEntry took effect, but audit row not written: the audit store failed");
                    });
        }
    }
}
