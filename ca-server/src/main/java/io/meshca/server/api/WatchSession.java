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
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One agent's watch stream: a paged snapshot, then deltas. All work for a session runs on the executor
 * one step at a time ({@code synchronized} step, coalesced wake-ups), so messages keep their order.
 *
 * <p>Flow-controlled: pages go out only while the stream is ready (gRPC's {@code isReady}), and are
 * built as they go, so an agent that reads slowly holds at most one page and the transport's buffer on
 * the server, never the whole snapshot. While pages wait, no new delta is computed: the next one, once
 * the agent has caught up, covers everything that changed meanwhile.
 */
final class WatchSession {

    private static final Logger log = LoggerFactory.getLogger(WatchSession.class);

    /** What a wake-up passes as the revision to start from: none; only {@link #begin} starts a session. */
    private static final long WOKEN = -1;

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
    /** Pages built but not yet sent; empty when the session is caught up. */
    private Iterator<WatchAuthorizedResponse> outbox = Collections.emptyIterator();

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
        out.setOnReadyHandler(this::wake);
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
                step(WOKEN);
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
            if (!drain()) {
                return; // the agent reads slowly: go on when the stream is ready again
            }
            if (!started) {
                if (sinceRevision == WOKEN) {
                    return; // gRPC may call the ready handler before begin(): the session starts there
                }
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
                // The bundle itself was re-read by the change feed before it woke this session.
                if (!delta.isEmpty()) {
                    sendDelta(delta);
                }
                revision = delta.revision();
            } while (delta.more() && drain());
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
        long at = revision;
        send(entries, (page, last) -> {
            WatchAuthorizedResponse.Builder msg = WatchAuthorizedResponse.newBuilder()
                    .setRevision(at)
                    .setFullSnapshot(true)
                    .setLastPage(last);
            if (page == 0) {
                msg.setBundle(BundleProtos.toProto(ca));
                federated.addTo(msg, needed());
            }
            return msg;
        });
    }

    private void sendDelta(AuthorizedEntriesSync.Delta delta) {
        Set<TrustDomain> before = needed();
        delta.deleted().forEach(federatesWith::remove);
        delta.upserted().forEach(this::track);
        Set<TrustDomain> after = needed();
        Set<TrustDomain> bundlesToSend = new HashSet<>(after);
        bundlesToSend.removeIf(
                td -> before.contains(td) && !delta.federatedChanged().contains(td.name()));
        send(delta.upserted(), (page, last) -> {
            WatchAuthorizedResponse.Builder msg = WatchAuthorizedResponse.newBuilder()
                    .setRevision(delta.revision())
                    .setLastPage(last);
            if (last) {
                msg.addAllDeletedEntryIds(delta.deleted());
                if (delta.bundleChanged()) {
                    msg.setBundle(BundleProtos.toProto(ca));
                }
                federated.addTo(msg, bundlesToSend);
            }
            return msg;
        });
    }

    /** What a page holds besides its entries: page number (from 0) and whether it is the last. */
    private interface PageHead {
        WatchAuthorizedResponse.Builder build(int page, boolean last);
    }

    /** Queues {@code entries} in pages of {@link #pageSize} (at least one page), and sends what the stream takes. */
    private void send(List<RegistrationEntry> entries, PageHead head) {
        int pages = Math.max(1, (entries.size() + pageSize - 1) / pageSize);
        outbox = new Iterator<>() {
            private int page;

            @Override
            public boolean hasNext() {
                return page < pages;
            }

            @Override
            public WatchAuthorizedResponse next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                WatchAuthorizedResponse.Builder msg = head.build(page, page == pages - 1);
                int from = page * pageSize;
                for (RegistrationEntry e : entries.subList(from, Math.min(entries.size(), from + pageSize))) {
                    msg.addUpserted(EntryProtos.toProto(e));
                }
                page++;
                return msg.build();
            }
        };
        drain();
    }

    /** Sends queued pages while the stream is ready; true when none is left. */
    private boolean drain() {
        while (outbox.hasNext() && out.isReady()) {
            out.onNext(outbox.next());
        }
        return !outbox.hasNext();
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
