package io.meshca.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import io.meshca.common.bundle.SpiffeBundle;
import io.meshca.common.pki.Certificates;
import io.meshca.common.spiffe.Selector;
import io.meshca.common.spiffe.SelectorSet;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.common.spiffe.TrustDomain;
import io.meshca.common.testing.FakeClock;
import io.meshca.common.testing.TestPki;
import io.meshca.proto.server.v1.AgentGrpc;
import io.meshca.proto.server.v1.WatchAuthorizedRequest;
import io.meshca.proto.server.v1.WatchAuthorizedResponse;
import io.meshca.server.agents.AgentManager;
import io.meshca.server.api.interceptor.CallerIdentity;
import io.meshca.server.audit.GroupCommitAuditLog;
import io.meshca.server.ca.CaManager;
import io.meshca.server.ca.SvidIssuer;
import io.meshca.server.ca.keys.MemoryKeyManager;
import io.meshca.server.ca.signing.X509SvidSigner;
import io.meshca.server.datastore.DataStore;
import io.meshca.server.model.AgentRecord;
import io.meshca.server.model.RegistrationEntry;
import io.meshca.server.registration.AgentAuthorizer;
import io.meshca.server.registration.AuthorizedEntriesSync;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The watch sends each agent the federated bundles its entries federate with: in the snapshot, on change, after a resume. */
class FederatedBundleWatchTest {

    private static final TrustDomain TD = TrustDomain.parse("example.org");
    private static final TrustDomain OTHER = TrustDomain.parse("other.org");
    private static final TrustDomain UNRELATED = TrustDomain.parse("unrelated.org");
    private static final SpiffeId SERVER = TD.withPath("/meshca/server");
    private static final SpiffeId AGENT = TD.withPath("/meshca/agent/join_token/a");

    @TempDir
    Path dir;

    private final FakeClock clock = new FakeClock(Instant.now());
    private DataStore store;
    private GroupCommitAuditLog audit;
    private ScheduledExecutorService scheduler;
    private WatchSessions watches;
    private Server server;
    private ManagedChannel channel;

    @BeforeEach
    void setUp() throws Exception {
        store = DataStore.sqlite(dir, clock);
        audit = new GroupCommitAuditLog(store.audit(), clock);
        scheduler = Executors.newSingleThreadScheduledExecutor();
        CaManager ca = new CaManager(TD, new MemoryKeyManager(), store.bundle(), Duration.ofHours(24), clock);
        ca.initialize();
        SvidIssuer issuer = new SvidIssuer(
                new X509SvidSigner(ca::activeAuthority, clock), audit, Duration.ofHours(1), Duration.ofHours(1));
        AgentManager agents = new AgentManager(List.of(), store.agents(), issuer, audit, clock);
        AgentAuthorizer authorizer = new AgentAuthorizer(SERVER, store.entries(), clock);
        watches = new WatchSessions(
                new AuthorizedEntriesSync(authorizer, store.entries(), store.changes()),
                agents,
                ca,
                store.notifier(),
                scheduler,
                Duration.ofHours(1),
                store.federatedBundles()::get);
        AgentRecord caller = new AgentRecord(
                AGENT,
                "join_token",
                "1",
                clock.instant().plusSeconds(3600),
                false,
                SelectorSet.of(Selector.parse("join_token:a")),
                clock.instant(),
                clock.instant());
        store.agents().upsert(caller);
        ServerInterceptor asAgent = new ServerInterceptor() {
            @Override
            public <Q, R> io.grpc.ServerCall.Listener<Q> interceptCall(
                    io.grpc.ServerCall<Q, R> call, io.grpc.Metadata h, io.grpc.ServerCallHandler<Q, R> next) {
                return Contexts.interceptCall(Context.current().withValue(CallerIdentity.AGENT, caller), call, h, next);
            }
        };
        String name = InProcessServerBuilder.generateName();
        server = InProcessServerBuilder.forName(name)
                .directExecutor()
                .addService(ServerInterceptors.intercept(
                        new AgentService(agents, new BatchSigner(authorizer, issuer, Runnable::run, 1), watches),
                        asAgent))
                .build()
                .start();
        channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    }

    @AfterEach
    void tearDown() {
        channel.shutdownNow();
        server.shutdownNow();
        watches.close();
        scheduler.shutdownNow();
        audit.close();
        store.close();
    }

    private void federatedEntry(String path, String... federatesWith) {
        store.entries()
                .create(new RegistrationEntry(
                        "",
                        TD.withPath(path),
                        AGENT,
                        SelectorSet.of(Selector.parse("unix:uid:1")),
                        Duration.ZERO,
                        Duration.ZERO,
                        List.of(),
                        List.of(federatesWith),
                        "",
                        false,
                        false,
                        null,
                        0,
                        Instant.EPOCH));
    }

    private X509Certificate setBundle(TrustDomain td) {
        X509Certificate root = TestPki.root(td).certificate();
        store.federatedBundles().put(new SpiffeBundle(td, List.of(root), List.of(), 1, Duration.ZERO));
        return root;
    }

    private LinkedBlockingQueue<WatchAuthorizedResponse> watch(long since) {
        LinkedBlockingQueue<WatchAuthorizedResponse> got = new LinkedBlockingQueue<>();
        AgentGrpc.newStub(channel)
                .watchAuthorized(
                        WatchAuthorizedRequest.newBuilder()
                                .setSinceRevision(since)
                                .build(),
                        new StreamObserver<>() {
                            @Override
                            public void onNext(WatchAuthorizedResponse r) {
                                got.add(r);
                            }

                            @Override
                            public void onError(Throwable t) {}

                            @Override
                            public void onCompleted() {}
                        });
        return got;
    }

    private static WatchAuthorizedResponse next(LinkedBlockingQueue<WatchAuthorizedResponse> got)
            throws InterruptedException {
        WatchAuthorizedResponse r = got.poll(10, TimeUnit.SECONDS);
        assertThat(r).as("a watch message within 10 s").isNotNull();
        return r;
    }

    @Test
    void snapshot_carriesTheBundlesTheEntriesFederateWith_only() throws Exception {
        X509Certificate other = setBundle(OTHER);
        setBundle(UNRELATED);
        federatedEntry("/web", "spiffe://other.org");

        WatchAuthorizedResponse snap = next(watch(0));

        assertThat(snap.getFullSnapshot()).isTrue();
        assertThat(snap.getFederatedBundlesMap()).containsOnlyKeys("other.org");
        assertThat(snap.getFederatedBundlesMap()
                        .get("other.org")
                        .getX509Authorities(0)
                        .toByteArray())
                .isEqualTo(Certificates.der(other));
    }

    @Test
    void aChangedOrDeletedBundle_isSentAsADelta() throws Exception {
        federatedEntry("/web", "other.org");
        LinkedBlockingQueue<WatchAuthorizedResponse> got = watch(0);
        assertThat(next(got).getFederatedBundlesMap().get("other.org").getX509AuthoritiesCount())
                .as("no bundle yet: an empty one")
                .isZero();

        X509Certificate root = setBundle(OTHER);
        WatchAuthorizedResponse added = next(got);
        assertThat(added.getFullSnapshot()).isFalse();
        assertThat(added.getFederatedBundlesMap()
                        .get("other.org")
                        .getX509Authorities(0)
                        .toByteArray())
                .isEqualTo(Certificates.der(root));

        setBundle(UNRELATED);
        store.federatedBundles().delete(OTHER);
        WatchAuthorizedResponse next = next(got);
        if (next.getFederatedBundlesMap().isEmpty()) {
            next = next(got); // the unrelated change may come alone, carrying nothing
        }
        assertThat(next.getFederatedBundlesMap()).containsOnlyKeys("other.org");
        assertThat(next.getFederatedBundlesMap().get("other.org").getX509AuthoritiesCount())
                .as("deleted: empty")
                .isZero();
    }

    @Test
    void aResumedWatch_stillDeliversChangesOfTheBundlesItsEntriesNeed() throws Exception {
        federatedEntry("/web", "other.org");
        long known = store.changes().currentRevision();
        LinkedBlockingQueue<WatchAuthorizedResponse> got = watch(known);

        X509Certificate root = setBundle(OTHER);

        WatchAuthorizedResponse delta = next(got);
        assertThat(delta.getFullSnapshot()).isFalse();
        assertThat(delta.getFederatedBundlesMap()
                        .get("other.org")
                        .getX509Authorities(0)
                        .toByteArray())
                .isEqualTo(Certificates.der(root));
    }
}
