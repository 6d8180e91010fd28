package io.meshca.server.api;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.meshca.common.error.GrpcErrors;
import io.meshca.common.error.MeshcaException;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.common.spiffe.TrustDomain;
import io.meshca.proto.server.v1.WatchAuthorizedResponse;
import io.meshca.server.agents.AgentManager;
import io.meshca.server.api.convert.BundleProtos;
import io.meshca.server.api.convert.EntryProtos;
import io.meshca.server.ca.CaManager;
import io.meshca.server.model.AgentRecord;
import io.meshca.server.model.RegistrationEntry;
import io.meshca.server.registration.AuthorizedEntriesSync;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One agent's watch stream: a paged snapshot, then deltas. All work for a session runs on the executor
 * one step at a time ({@code synchronized} step, coalesced wake-ups), so messages keep their order.
 */
final class WatchSession {

    private static final Logger log = LoggerFactory.getLogger(WatchSession.class);

    private final AgentRecord agent;
    private final int pageSize;
    private final ServerCallStreamObserver<WatchAuthorizedResponse> out;
    private final AuthorizedEntriesSync sync;
    private final AgentManager agents;
    private final CaManager ca;
    private final Executor executor;
    private final AtomicBoolean wakePending = new AtomicBoolean();
    private final AtomicBoolean ended = new AtomicBoolean();
    private Runnable onEnd = () -> {};
    private long revision;
    private Set<SpiffeId> parents;
    private boolean started;
    private final FederatedBundleSource federated;
    /** Entry id → the trust domains it federates with: what this agent needs of the federated bundles. */
    private final Map<String, List<TrustDomain>> federatesWith = new HashMap<>();

    WatchSession(
            AgentRecord agent,
            int pageSize,
            ServerCallStreamObserver<WatchAuthorizedResponse> out,
            AuthorizedEntriesSync sync,
            AgentManager agents,
            CaManager ca,
            Executor executor,
            FederatedBundleSource federated) {
        this.federated = federated;
        this.agent = agent;
        this.pageSize = pageSize;
        this.out = out;
        this.sync = sync;
        this.agents = agents;
        this.ca = ca;
        this.executor = executor;
        out.setOnCancelHandler(this::end);
    }

    void onEnd(Runnable action) {
        this.onEnd = action;
        if (ended.get()) {
            action.run();
        }
    }

    void begin(long sinceRevision) {
        executor.execute(() -> step(sinceRevision));
    }

    void wake() {
        if (!ended.get() && wakePending.compareAndSet(false, true)) {
            executor.execute(() -> {
                wakePending.set(false);
                step(-1);
            });
        }
    }

    private synchronized void step(long sinceRevision) {
        if (ended.get()) {
            return;
        }
        if (out.isCancelled()) {
            end();
            return;
        }
        try {
            if (!started) {
                started = true;
                long current = sync.currentRevision();
                if (sinceRevision > 0 && sinceRevision <= current) {
                    revision = sinceRevision;
                    parents = sync.parentIds(agent.spiffeId(), agent.selectors());
                    // what the agent's entries federate with, so later bundle changes reach it (nothing is sent)
                    sync.snapshot(agent.spiffeId(), agent.selectors()).entries().forEach(this::track);
                } else {
                    sendSnapshot();
                    return;
                }
            }
            AuthorizedEntriesSync.Delta delta;
            do {
                delta = sync.since(revision, agent.spiffeId(), parents);
                if (delta.agentChanged()) {
                    agents.requireActive(agent.spiffeId());
                }
                if (delta.resnapshot()) {
                    sendSnapshot();
                    return;
                }
                if (delta.bundleChanged()) {
                    ca.refreshBundle();
                }
                if (!delta.isEmpty()) {
                    sendDelta(delta);
                }
                revision = delta.revision();
            } while (delta.more());
        } catch (MeshcaException e) {
            fail(GrpcErrors.toStatus(e).getStatus());
        } catch (RuntimeException e) {
            if (out.isCancelled()) {
                end(); // the agent went away while we were sending: nothing to report
                return;
            }
            log.error("watch of agent {} failed", agent.spiffeId(), e);
            fail(Status.INTERNAL.withDescription(GrpcErrors.INTERNAL_ERROR));
        }
    }

    private void sendSnapshot() {
        AuthorizedEntriesSync.Snapshot snap = sync.snapshot(agent.spiffeId(), agent.selectors());
        parents = snap.parentIds();
        revision = snap.revision();
        List<RegistrationEntry> entries = snap.entries();
        federatesWith.clear();
        entries.forEach(this::track);
        int pages = Math.max(1, (entries.size() + pageSize - 1) / pageSize);
        for (int p = 0; p < pages; p++) {
            WatchAuthorizedResponse.Builder msg = WatchAuthorizedResponse.newBuilder()
                    .setRevision(revision)
                    .setFullSnapshot(true)
                    .setLastPage(p == pages - 1);
            if (p == 0) {
                msg.setBundle(BundleProtos.toProto(ca));
                federated.addTo(msg, needed());
            }
            for (RegistrationEntry e : entries.subList(p * pageSize, Math.min(entries.size(), (p + 1) * pageSize))) {
                msg.addUpserted(EntryProtos.toProto(e));
            }
            out.onNext(msg.build());
        }
    }

    private void sendDelta(AuthorizedEntriesSync.Delta delta) {
        Set<TrustDomain> before = needed();
        delta.deleted().forEach(federatesWith::remove);
        delta.upserted().forEach(this::track);
        Set<TrustDomain> after = needed();
        Set<TrustDomain> send = new HashSet<>(after);
        send.removeIf(td -> before.contains(td) && !delta.federatedChanged().contains(td.name()));
        List<RegistrationEntry> up = delta.upserted();
        int pages = Math.max(1, (up.size() + pageSize - 1) / pageSize);
        for (int p = 0; p < pages; p++) {
            boolean last = p == pages - 1;
            WatchAuthorizedResponse.Builder msg = WatchAuthorizedResponse.newBuilder()
                    .setRevision(delta.revision())
                    .setLastPage(last);
            for (RegistrationEntry e : up.subList(p * pageSize, Math.min(up.size(), (p + 1) * pageSize))) {
                msg.addUpserted(EntryProtos.toProto(e));
            }
            if (last) {
                msg.addAllDeletedEntryIds(delta.deleted());
                if (delta.bundleChanged()) {
                    msg.setBundle(BundleProtos.toProto(ca));
                }
                federated.addTo(msg, send);
            }
            out.onNext(msg.build());
        }
    }

    private void track(RegistrationEntry entry) {
        federatesWith.put(
                entry.id(),
                entry.federatesWith().stream().map(TrustDomain::parse).toList());
    }

    private Set<TrustDomain> needed() {
        Set<TrustDomain> out = new HashSet<>();
        federatesWith.values().forEach(out::addAll);
        return out;
    }

    private void fail(Status status) {
        if (!ended.get()) {
            try {
                out.onError(status.asRuntimeException());
            } catch (RuntimeException ignored) {
                // the call may already be cancelled
            }
            end();
        }
    }

    synchronized void shutdown() {
        fail(Status.UNAVAILABLE.withDescription("server is shutting down"));
    }

    private void end() {
        if (ended.compareAndSet(false, true)) {
            onEnd.run();
        }
    }
}
