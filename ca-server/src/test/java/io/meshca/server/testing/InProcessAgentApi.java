package io.meshca.server.testing;

import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import io.meshca.common.grpc.ErrorMappingInterceptor;
import io.meshca.common.spiffe.Selector;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.common.spiffe.TrustDomain;
import io.meshca.proto.server.v1.AgentGrpc;
import io.meshca.proto.server.v1.WatchAuthorizedRequest;
import io.meshca.proto.server.v1.WatchAuthorizedResponse;
import io.meshca.server.agents.AgentManager;
import io.meshca.server.api.AgentService;
import io.meshca.server.api.BatchSigner;
import io.meshca.server.api.WatchSessions;
import io.meshca.server.api.admission.SigningAdmission;
import io.meshca.server.api.interceptor.CallerIdentity;
import io.meshca.server.changes.ChangeFeed;
import io.meshca.server.config.ServerConfig;
import io.meshca.server.model.AgentRecord;
import io.meshca.server.model.Change;
import io.meshca.server.registration.AgentAuthorizer;
import io.meshca.server.registration.AuthorizedEntriesSync;
import io.meshca.server.registration.EntryCache;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The Agent service in process over a {@link ServerCore} of its own, every call made as one stored
 * agent: a stand-in interceptor puts it in the Context the way AgentIdentityInterceptor does from the
 * TLS session. Watches wake on the datastore's change notifier; their poll is an hour away, so a test
 * sees only what a change pushes. A JUnit extension like its core: each test gets both fresh.
 */
public final class InProcessAgentApi implements BeforeEachCallback, AfterEachCallback {

    private final ServerCore core;
    private final SpiffeId agentId;
    private final Selector agentSelector;
    private ScheduledExecutorService scheduler;
    private WatchSessions watches;
    private ChangeFeed feed;
    private final AtomicInteger sent = new AtomicInteger();
    private AutoCloseable wakeFeed;
    private InProcessGrpc grpc;

    private InProcessAgentApi(ServerCore core, SpiffeId agentId, Selector agentSelector) {
        this.core = core;
        this.agentId = agentId;
        this.agentSelector = agentSelector;
    }

    /**
     * For each test, a core of {@code trustDomain} on {@code clock}, with the agent {@code agentId}
     * (attested with {@code agentSelector}) stored and served.
     */
    public static InProcessAgentApi perTest(
            TrustDomain trustDomain, Clock clock, SpiffeId agentId, Selector agentSelector) {
        return new InProcessAgentApi(ServerCore.perTest(trustDomain, clock), agentId, agentSelector);
    }

    /** The core the service runs on: its datastore, CA and issuer. */
    public ServerCore core() {
        return core;
    }

    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        core.beforeEach(context);
        scheduler = Executors.newSingleThreadScheduledExecutor();
        AgentManager agents =
                new AgentManager(List.of(), core.store().agents(), core.issuer(), core.audit(), core.clock());
        // As the server wires it: entries in memory, kept current by a change feed woken by each commit.
        long revision = core.store().changes().currentRevision();
        EntryCache entries = new EntryCache(core.store().entries());
        entries.load();
        feed = new ChangeFeed(
                core.store().changes(),
                List.of(
                        ChangeFeed.Stage.of(entries::apply, entries::load),
                        ChangeFeed.Stage.onKind(
                                Change.Kind.BUNDLE, c -> core.ca().refreshBundle(), core.ca()::refreshBundle)),
                scheduler,
                System::nanoTime);
        feed.start(revision, Duration.ofHours(1));
        wakeFeed = core.store().notifier().subscribe(r -> feed.wake());
        AgentAuthorizer authorizer = new AgentAuthorizer(core.serverId(), entries, core.clock(), feed::catchUpNow);
        watches = new WatchSessions(
                new AuthorizedEntriesSync(authorizer, entries, feed.recent()),
                agents,
                core.ca(),
                feed,
                scheduler,
                core.store().federatedBundles()::get);
        SigningAdmission admission = new SigningAdmission(ServerConfig.DEFAULT_SIGNING_QUEUE_SIZE, core.clock());
        AgentRecord caller = core.storeAgent(core.agent(agentId, agentSelector));
        grpc = InProcessGrpc.start(ServerInterceptors.intercept(
                new AgentService(
                        agents,
                        new BatchSigner(authorizer, core.issuer(), Runnable::run, 1, admission),
                        watches,
                        admission),
                new ErrorMappingInterceptor(),
                InProcessGrpc.withContext(CallerIdentity.AGENT, caller),
                countSentMessages()));
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        try {
            grpc.close();
            watches.close();
            wakeFeed.close();
            feed.close();
            scheduler.shutdownNow();
        } finally {
            core.afterEach(context);
        }
    }

    /** How many messages the service has handed to gRPC for sending, on every call so far. */
    public int messagesSent() {
        return sent.get();
    }

    private ServerInterceptor countSentMessages() {
        return new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(
                    ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
                return next.startCall(
                        new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
                            @Override
                            public void sendMessage(R message) {
                                sent.incrementAndGet();
                                super.sendMessage(message);
                            }
                        },
                        headers);
            }
        };
    }

    /** A watch that reads only as many messages as asked for: an agent that reads slowly. */
    public record SlowWatch(LinkedBlockingQueue<WatchAuthorizedResponse> messages, ClientCallStreamObserver<?> call) {
        public void read(int n) {
            call.request(n);
        }
    }

    /** Opens a watch that asks for {@code first} messages, and then only for those {@link SlowWatch#read} asks. */
    public SlowWatch watchSlowly(WatchAuthorizedRequest request, int first) {
        LinkedBlockingQueue<WatchAuthorizedResponse> got = new LinkedBlockingQueue<>();
        CompletableFuture<ClientCallStreamObserver<?>> call = new CompletableFuture<>();
        AgentGrpc.newStub(grpc.channel())
                .watchAuthorized(
                        request, new ClientResponseObserver<WatchAuthorizedRequest, WatchAuthorizedResponse>() {
                            @Override
                            public void beforeStart(ClientCallStreamObserver<WatchAuthorizedRequest> stream) {
                                stream.disableAutoRequestWithInitial(first);
                                call.complete(stream);
                            }

                            @Override
                            public void onNext(WatchAuthorizedResponse r) {
                                got.add(r);
                            }

                            @Override
                            public void onError(Throwable t) {}

                            @Override
                            public void onCompleted() {}
                        });
        return new SlowWatch(got, call.join());
    }

    /** Opens a watch; its messages arrive in the returned queue (errors and the end are dropped). */
    public LinkedBlockingQueue<WatchAuthorizedResponse> watch(WatchAuthorizedRequest request) {
        LinkedBlockingQueue<WatchAuthorizedResponse> got = new LinkedBlockingQueue<>();
        AgentGrpc.newStub(grpc.channel()).watchAuthorized(request, new StreamObserver<>() {
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
}
