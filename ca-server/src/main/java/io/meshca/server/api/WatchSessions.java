package io.meshca.server.api;

import io.grpc.stub.ServerCallStreamObserver;
import io.meshca.proto.server.v1.WatchAuthorizedResponse;
import io.meshca.server.agents.AgentManager;
import io.meshca.server.ca.CaManager;
import io.meshca.server.changes.ChangeFeed;
import io.meshca.server.model.AgentRecord;
import io.meshca.server.registration.AuthorizedEntriesSync;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Runs the agents' watch streams. Every session wakes after each batch of changes the server's change
 * feed applies, whichever replica wrote them; a session reads the recent changes and the entries from
 * memory, so a wake-up costs no database call.
 */
public final class WatchSessions implements AutoCloseable {

    public static final int DEFAULT_PAGE_SIZE = 500;
    public static final int MAX_PAGE_SIZE = 5000;

    private final AuthorizedEntriesSync sync;
    private final AgentManager agents;
    private final CaManager ca;
    private final ScheduledExecutorService executor;
    private final Set<WatchSession> open = ConcurrentHashMap.newKeySet();
    private final AutoCloseable feedSubscription;
    private final FederatedBundleSource federated;

    /** {@code federated}: the federated bundles, sent to agents whose entries federate with their trust domain. */
    public WatchSessions(
            AuthorizedEntriesSync sync,
            AgentManager agents,
            CaManager ca,
            ChangeFeed feed,
            ScheduledExecutorService executor,
            FederatedBundleSource federated) {
        this.federated = federated;
        this.sync = sync;
        this.agents = agents;
        this.ca = ca;
        this.executor = executor;
        this.feedSubscription = feed.onApplied(() -> open.forEach(WatchSession::wake));
    }

    public void start(
            AgentRecord agent,
            long sinceRevision,
            int pageSize,
            ServerCallStreamObserver<WatchAuthorizedResponse> out) {
        int size = pageSize == 0 ? DEFAULT_PAGE_SIZE : Math.min(pageSize, MAX_PAGE_SIZE);
        WatchSession session = new WatchSession(agent, size, out, sync, agents, ca, executor, federated);
        open.add(session);
        session.onEnd(() -> open.remove(session));
        session.begin(sinceRevision);
    }

    public int openSessions() {
        return open.size();
    }

    @Override
    public void close() throws Exception {
        feedSubscription.close();
        for (WatchSession s : Set.copyOf(open)) {
            s.shutdown();
        }
    }
}
