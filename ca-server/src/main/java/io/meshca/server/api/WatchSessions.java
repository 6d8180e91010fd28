package io.meshca.server.api;

import io.grpc.stub.ServerCallStreamObserver;
import io.meshca.proto.server.v1.WatchAuthorizedResponse;
import io.meshca.server.agents.AgentManager;
import io.meshca.server.ca.CaManager;
import io.meshca.server.datastore.ChangeNotifier;
import io.meshca.server.model.AgentRecord;
import io.meshca.server.registration.AuthorizedEntriesSync;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Runs the agents' watch streams. Each session wakes on the in-process change notifier (immediate
 * push) and on a slow poll of the change log (so changes written by another replica arrive too).
 */
public final class WatchSessions implements AutoCloseable {

    public static final int DEFAULT_PAGE_SIZE = 500;
    public static final int MAX_PAGE_SIZE = 5000;

    private final AuthorizedEntriesSync sync;
    private final AgentManager agents;
    private final CaManager ca;
    private final ChangeNotifier notifier;
    private final ScheduledExecutorService executor;
    private final Duration pollInterval;
    private final Set<WatchSession> open = ConcurrentHashMap.newKeySet();
    private final FederatedBundleSource federated;

    /** {@code federated}: the federated bundles, sent to agents whose entries federate with their trust domain. */
    public WatchSessions(
            AuthorizedEntriesSync sync,
            AgentManager agents,
            CaManager ca,
            ChangeNotifier notifier,
            ScheduledExecutorService executor,
            Duration pollInterval,
            FederatedBundleSource federated) {
        this.federated = federated;
        this.sync = sync;
        this.agents = agents;
        this.ca = ca;
        this.notifier = notifier;
        this.executor = executor;
        this.pollInterval = pollInterval;
    }

    public void start(
            AgentRecord agent,
            long sinceRevision,
            int pageSize,
            ServerCallStreamObserver<WatchAuthorizedResponse> out) {
        int size = pageSize == 0 ? DEFAULT_PAGE_SIZE : Math.min(pageSize, MAX_PAGE_SIZE);
        WatchSession session = new WatchSession(agent, size, out, sync, agents, ca, executor, federated);
        open.add(session);
        AutoCloseable subscription = notifier.subscribe(revision -> session.wake());
        var poll = executor.scheduleWithFixedDelay(
                session::wake, pollInterval.toMillis(), pollInterval.toMillis(), TimeUnit.MILLISECONDS);
        session.onEnd(() -> {
            poll.cancel(false);
            try {
                subscription.close();
            } catch (Exception ignored) {
                // removing a listener from a set cannot fail
            }
            open.remove(session);
        });
        session.begin(sinceRevision);
    }

    public int openSessions() {
        return open.size();
    }

    @Override
    public void close() {
        for (WatchSession s : Set.copyOf(open)) {
            s.shutdown();
        }
    }
}
