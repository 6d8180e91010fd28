package io.meshca.server.testing;

import io.grpc.ServerInterceptors;
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
import io.meshca.server.config.ServerConfig;
import io.meshca.server.model.AgentRecord;
import io.meshca.server.registration.AgentAuthorizer;
import io.meshca.server.registration.AuthorizedEntriesSync;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
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
        AgentAuthorizer authorizer =
                new AgentAuthorizer(core.serverId(), core.store().entries(), core.clock());
        watches = new WatchSessions(
                new AuthorizedEntriesSync(
                        authorizer, core.store().entries(), core.store().changes()),
                agents,
                core.ca(),
                core.store().notifier(),
                scheduler,
                Duration.ofHours(1),
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
                InProcessGrpc.withContext(CallerIdentity.AGENT, caller)));
    }

    @Override
    public void afterEach(ExtensionContext context) throws IOException {
        try {
            grpc.close();
            watches.close();
            scheduler.shutdownNow();
        } finally {
            core.afterEach(context);
        }
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
