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
import io.meshca.common.spiffe.Selector;
import io.meshca.common.spiffe.SelectorSet;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.common.spiffe.TrustDomain;
import io.meshca.common.testing.FakeClock;
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
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Agent service in process; a stand-in interceptor puts the calling agent in the Context the way
 * AgentIdentityInterceptor does from the TLS session.
 */
class AgentServiceTest {

    private static final TrustDomain TD = TrustDomain.parse("example.org");
    private static final SpiffeId SERVER = TD.withPath("/meshca/server");
    private static final SpiffeId AGENT = TD.withPath("/meshca/agent/join_token/a");
    private static final SpiffeId OTHER = TD.withPath("/meshca/agent/join_token/b");

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
                Duration.ofHours(1));
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

    private RegistrationEntry entry(String path, SpiffeId parent) {
        return store.entries()
                .create(RegistrationEntry.draft(
                        TD.withPath(path), parent, SelectorSet.of(Selector.parse("unix:uid:1"))));
    }

    private List<WatchAuthorizedResponse> watch(int pageSize, int messages) throws Exception {
        LinkedBlockingQueue<WatchAuthorizedResponse> got = new LinkedBlockingQueue<>();
        AgentGrpc.newStub(channel)
                .watchAuthorized(
                        WatchAuthorizedRequest.newBuilder()
                                .setPageSize(pageSize)
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
        List<WatchAuthorizedResponse> out = new ArrayList<>();
        for (int i = 0; i < messages; i++) {
            WatchAuthorizedResponse r = got.poll(10, TimeUnit.SECONDS);
            assertThat(r).as("message " + i).isNotNull();
            out.add(r);
        }
        return out;
    }

    @Test
    void snapshot_comesInPagesOfPageSize_withTheBundleOnTheFirst_andOnlyTheCallersEntries() throws Exception {
        List<String> mine = List.of(
                entry("/w1", AGENT).id(),
                entry("/w2", AGENT).id(),
                entry("/w3", AGENT).id());
        entry("/theirs", OTHER);

        List<WatchAuthorizedResponse> pages = watch(2, 2);

        assertThat(pages).allSatisfy(p -> assertThat(p.getFullSnapshot()).isTrue());
        assertThat(pages).extracting(WatchAuthorizedResponse::getLastPage).containsExactly(false, true);
        assertThat(pages.get(0).getUpsertedCount()).isEqualTo(2);
        assertThat(pages.get(0).hasBundle()).isTrue();
        assertThat(pages.get(1).hasBundle()).isFalse();
        assertThat(pages.get(0).getRevision()).isEqualTo(pages.get(1).getRevision());
        List<String> ids = new ArrayList<>();
        pages.forEach(p -> p.getUpsertedList().forEach(e -> ids.add(e.getId())));
        assertThat(ids).containsExactlyInAnyOrderElementsOf(mine);
    }

    @Test
    void watchFromAKnownRevision_sendsOnlyLaterChanges_asDeltas() throws Exception {
        entry("/old", AGENT);
        long known = store.changes().currentRevision();
        LinkedBlockingQueue<WatchAuthorizedResponse> got = new LinkedBlockingQueue<>();
        AgentGrpc.newStub(channel)
                .watchAuthorized(
                        WatchAuthorizedRequest.newBuilder()
                                .setSinceRevision(known)
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

        RegistrationEntry added = entry("/new", AGENT);

        WatchAuthorizedResponse delta = got.poll(10, TimeUnit.SECONDS);
        assertThat(delta.getFullSnapshot()).isFalse();
        assertThat(delta.getLastPage()).isTrue();
        assertThat(delta.getUpsertedList()).extracting(e -> e.getId()).containsExactly(added.id());
        assertThat(delta.getRevision()).isEqualTo(added.revision());
    }

    @Test
    void aNewNodeAliasMatchingTheAgent_bringsAFreshSnapshotWithItsEntries() throws Exception {
        SpiffeId alias = TD.withPath("/node1");
        RegistrationEntry viaAlias = entry("/web", alias);
        LinkedBlockingQueue<WatchAuthorizedResponse> got = new LinkedBlockingQueue<>();
        AgentGrpc.newStub(channel).watchAuthorized(WatchAuthorizedRequest.getDefaultInstance(), new StreamObserver<>() {
            @Override
            public void onNext(WatchAuthorizedResponse r) {
                got.add(r);
            }

            @Override
            public void onError(Throwable t) {}

            @Override
            public void onCompleted() {}
        });
        WatchAuthorizedResponse first = got.poll(10, TimeUnit.SECONDS);
        assertThat(first.getUpsertedList()).isEmpty();

        store.entries().create(RegistrationEntry.draft(alias, SERVER, SelectorSet.of(Selector.parse("join_token:a"))));

        WatchAuthorizedResponse resnapshot = got.poll(10, TimeUnit.SECONDS);
        assertThat(resnapshot.getFullSnapshot()).isTrue();
        assertThat(resnapshot.getUpsertedList()).extracting(e -> e.getId()).containsExactly(viaAlias.id());
    }
}
