package io.meshca.server.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.meshca.common.grpc.ErrorMappingInterceptor;
import io.meshca.common.spiffe.Selector;
import io.meshca.common.spiffe.SelectorSet;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.common.spiffe.TrustDomain;
import io.meshca.common.testing.FakeClock;
import io.meshca.proto.server.v1.AgentsGrpc;
import io.meshca.proto.server.v1.BundlesGrpc;
import io.meshca.proto.server.v1.CountAgentsRequest;
import io.meshca.proto.server.v1.CountEntriesRequest;
import io.meshca.proto.server.v1.CountFederatedBundlesRequest;
import io.meshca.proto.server.v1.EntriesGrpc;
import io.meshca.proto.server.v1.GetLoggerRequest;
import io.meshca.proto.server.v1.ListEntriesRequest;
import io.meshca.proto.server.v1.LoggerGrpc;
import io.meshca.proto.server.v1.PurgeAgentsRequest;
import io.meshca.proto.server.v1.SetLogLevelRequest;
import io.meshca.server.agents.AgentManager;
import io.meshca.server.api.admin.AgentsService;
import io.meshca.server.api.admin.BundlesService;
import io.meshca.server.api.admin.EntriesService;
import io.meshca.server.api.admin.LoggerService;
import io.meshca.server.api.interceptor.AdminAuditInterceptor;
import io.meshca.server.federation.FederatedBundles;
import io.meshca.server.logging.RootLogLevel;
import io.meshca.server.model.AgentRecord;
import io.meshca.server.model.AuditRecord;
import io.meshca.server.model.RegistrationEntry;
import io.meshca.server.registration.EntryValidator;
import io.meshca.server.registration.Registrar;
import io.meshca.server.testing.InProcessGrpc;
import io.meshca.server.testing.ServerCore;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/** The admin API's counts, agent purge and log level, in process over a real SQLite datastore. */
class AdminCountPurgeLoggerServicesTest {

    private static final TrustDomain TD = TrustDomain.parse("example.org");
    private static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");
    private static final SpiffeId NODE = SpiffeId.parse("spiffe://example.org/meshca/agent/join_token/n1");
    private static final SpiffeId STALE = SpiffeId.parse("spiffe://example.org/meshca/agent/join_token/stale");

    private final FakeClock clock = new FakeClock(NOW);

    @RegisterExtension
    final ServerCore core = ServerCore.perTest(TD, clock);

    private final RootLogLevel logLevel = RootLogLevel.ofLogback();
    private InProcessGrpc grpc;

    @BeforeEach
    void setUp() throws Exception {
        Registrar registrar = new Registrar(new EntryValidator(TD), core.store().entries());
        AgentManager agents = new AgentManager(List.of(), core.store().agents(), null, core.audit(), clock);
        AdminAuditInterceptor auditing = new AdminAuditInterceptor(core.audit(), "admin:test");
        ErrorMappingInterceptor errors = new ErrorMappingInterceptor();
        grpc = InProcessGrpc.start(
                ServerInterceptors.intercept(new EntriesService(registrar), errors, auditing),
                ServerInterceptors.intercept(new AgentsService(agents), errors, auditing),
                ServerInterceptors.intercept(
                        new BundlesService(
                                null, new FederatedBundles(TD, core.store().federatedBundles())),
                        errors,
                        auditing),
                ServerInterceptors.intercept(new LoggerService(logLevel), errors, auditing));
    }

    @AfterEach
    void tearDown() {
        logLevel.set(logLevel.launch());
        grpc.close();
    }

    private void entry(String spiffeId, String hint, List<String> federatesWith) {
        core.store()
                .entries()
                .create(RegistrationEntry.draft(
                                SpiffeId.parse(spiffeId), NODE, SelectorSet.of(Selector.parse("unix:uid:1")))
                        .withHint(hint)
                        .withFederatesWith(federatesWith));
    }

    private void agent(SpiffeId id, Instant expiresAt) {
        core.store()
                .agents()
                .upsert(new AgentRecord(id, "join_token", "ab", expiresAt, false, SelectorSet.of(), NOW, NOW));
    }

    private List<String> auditActions() {
        core.audit().flush();
        return core.store().audit().read(0, 100).stream()
                .map(AuditRecord::action)
                .toList();
    }

    @Test
    void countEntries_andListEntries_filterByFederatesWithAndHint() {
        entry("spiffe://example.org/a", "blue", List.of("partner.org"));
        entry("spiffe://example.org/b", "", List.of());
        var stub = EntriesGrpc.newBlockingStub(grpc.channel());

        assertThat(stub.countEntries(CountEntriesRequest.getDefaultInstance()).getCount())
                .isEqualTo(2);
        assertThat(stub.countEntries(CountEntriesRequest.newBuilder()
                                .addByFederatesWith("spiffe://partner.org")
                                .build())
                        .getCount())
                .isEqualTo(1);
        assertThat(stub.countEntries(CountEntriesRequest.newBuilder()
                                .setByHint("blue")
                                .build())
                        .getCount())
                .isEqualTo(1);
        assertThat(stub.listEntries(ListEntriesRequest.newBuilder()
                                .setByHint("blue")
                                .build())
                        .getEntriesList())
                .extracting(e -> e.getSpiffeId())
                .containsExactly("spiffe://example.org/a");
        assertThatThrownBy(() -> stub.countEntries(CountEntriesRequest.newBuilder()
                        .addByFederatesWith("not a trust domain!")
                        .build()))
                .isInstanceOfSatisfying(
                        StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
    }

    @Test
    void counts_areReads_andNotAudited() {
        agent(NODE, NOW.plusSeconds(3600));
        assertThat(AgentsGrpc.newBlockingStub(grpc.channel())
                        .countAgents(CountAgentsRequest.getDefaultInstance())
                        .getCount())
                .isEqualTo(1);
        assertThat(BundlesGrpc.newBlockingStub(grpc.channel())
                        .countFederatedBundles(CountFederatedBundlesRequest.getDefaultInstance())
                        .getCount())
                .isZero();
        EntriesGrpc.newBlockingStub(grpc.channel()).countEntries(CountEntriesRequest.getDefaultInstance());

        assertThat(auditActions()).isEmpty();
    }

    @Test
    void purgeAgents_evictsTheLongExpired_andIsAudited() {
        agent(NODE, NOW.plusSeconds(3600));
        agent(STALE, NOW.minus(Duration.ofDays(40)));
        var stub = AgentsGrpc.newBlockingStub(grpc.channel());

        var dryRun = stub.purgeAgents(PurgeAgentsRequest.newBuilder()
                .setExpiredForSeconds(Duration.ofDays(30).toSeconds())
                .setDryRun(true)
                .build());
        assertThat(dryRun.getAgentsList()).extracting(a -> a.getSpiffeId()).containsExactly(STALE.toString());
        assertThat(core.store().agents().count()).isEqualTo(2);

        var purged = stub.purgeAgents(PurgeAgentsRequest.newBuilder()
                .setExpiredForSeconds(Duration.ofDays(30).toSeconds())
                .build());
        assertThat(purged.getAgentsList()).extracting(a -> a.getSpiffeId()).containsExactly(STALE.toString());
        assertThat(core.store().agents().get(STALE)).isEmpty();
        assertThat(auditActions()).containsExactly("admin.PurgeAgents", "agent.purge", "admin.PurgeAgents");
    }

    @Test
    void purgeAgents_withoutAPositiveDuration_isInvalidArgument() {
        assertThatThrownBy(() ->
                        AgentsGrpc.newBlockingStub(grpc.channel()).purgeAgents(PurgeAgentsRequest.getDefaultInstance()))
                .isInstanceOfSatisfying(
                        StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getDescription())
                                .contains("expired_for_seconds must be positive"));
    }

    @Test
    void setLogLevel_changesTheRootLevel_andIsAudited() {
        var stub = LoggerGrpc.newBlockingStub(grpc.channel());
        String launch = stub.getLogger(GetLoggerRequest.getDefaultInstance()).getLaunchLevel();
        String other = launch.equals("debug") ? "warn" : "debug";

        var state =
                stub.setLogLevel(SetLogLevelRequest.newBuilder().setLevel(other).build());

        assertThat(state.getCurrentLevel()).isEqualTo(other);
        assertThat(state.getLaunchLevel()).isEqualTo(launch);
        assertThat(LoggerFactory.getLogger("io.meshca.anything").isDebugEnabled())
                .isEqualTo(other.equals("debug"));
        assertThat(auditActions()).containsExactly("admin.SetLogLevel");
    }

    @Test
    void setLogLevel_unknownLevel_isInvalidArgument_andChangesNothing() {
        var stub = LoggerGrpc.newBlockingStub(grpc.channel());
        String before = stub.getLogger(GetLoggerRequest.getDefaultInstance()).getCurrentLevel();

        assertThatThrownBy(() -> stub.setLogLevel(
                        SetLogLevelRequest.newBuilder().setLevel("loud").build()))
                .isInstanceOfSatisfying(
                        StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getDescription())
                                .isEqualTo("unknown log level \"loud\" (supported: trace, debug, info, warn, error)"));
        assertThat(stub.getLogger(GetLoggerRequest.getDefaultInstance()).getCurrentLevel())
                .isEqualTo(before);
    }
}
