package io.meshca.samples.bench;

import io.grpc.ManagedChannel;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.meshca.agent.client.ServerChannels;
import io.meshca.proto.server.v1.AgentGrpc;
import io.meshca.proto.server.v1.Entry;
import io.meshca.proto.server.v1.WatchAuthorizedRequest;
import io.meshca.proto.server.v1.WatchAuthorizedResponse;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One simulated agent's WatchAuthorized stream on its own connection. It keeps what an agent keeps of
 * it: the entries it holds (a snapshot replaces them, a change set adds and removes) and the revision of
 * the last complete snapshot or change set, where a reconnect resumes. Every message, once applied,
 * goes to the {@link Listener}; messages of one stream arrive one at a time, in order.
 */
final class EntryWatch implements AutoCloseable {

    /** Told every message of the stream after it was applied, on a gRPC thread; must return quickly. */
    interface Listener {
        void received(EntryWatch watch, WatchAuthorizedResponse message);

        /** The stream ended with an error (not by {@link #close}). */
        default void failed(EntryWatch watch, Throwable error) {}
    }

    private final SimulatedAgent agent;
    private final ManagedChannel channel;
    private final Listener listener;
    private final Set<String> held = ConcurrentHashMap.newKeySet();
    private volatile long revision;
    private volatile boolean closed;
    private boolean inSnapshot;
    private ClientCallStreamObserver<WatchAuthorizedRequest> call;

    private EntryWatch(SimulatedAgent agent, ManagedChannel channel, Listener listener) {
        this.agent = agent;
        this.channel = channel;
        this.listener = listener;
    }

    static EntryWatch open(SimulatedAgent agent, ManagedChannel channel, long sinceRevision, Listener listener) {
        EntryWatch watch = new EntryWatch(agent, channel, listener);
        AgentGrpc.newStub(channel)
                .watchAuthorized(
                        WatchAuthorizedRequest.newBuilder()
                                .setSinceRevision(sinceRevision)
                                .build(),
                        watch.new Observer());
        return watch;
    }

    SimulatedAgent agent() {
        return agent;
    }

    /** Entries the agent holds now. */
    int held() {
        return held.size();
    }

    /** The revision of the last complete snapshot or change set; 0 before the first. */
    long revision() {
        return revision;
    }

    private final class Observer implements ClientResponseObserver<WatchAuthorizedRequest, WatchAuthorizedResponse> {
        @Override
        public void beforeStart(ClientCallStreamObserver<WatchAuthorizedRequest> requests) {
            call = requests;
        }

        @Override
        public void onNext(WatchAuthorizedResponse message) {
            if (message.getFullSnapshot() && !inSnapshot) {
                held.clear();
                inSnapshot = true;
            }
            for (Entry entry : message.getUpsertedList()) {
                held.add(entry.getId());
            }
            message.getDeletedEntryIdsList().forEach(held::remove);
            if (message.getLastPage()) {
                inSnapshot = false;
                revision = message.getRevision();
            }
            listener.received(EntryWatch.this, message);
        }

        @Override
        public void onError(Throwable t) {
            if (!closed) {
                listener.failed(EntryWatch.this, t);
            }
        }

        @Override
        public void onCompleted() {
            if (!closed) {
                listener.failed(EntryWatch.this, new IllegalStateException("the server ended the watch"));
            }
        }
    }

    /** Cancels the stream and closes the connection, as an agent that goes away does. */
    @Override
    public void close() {
        closed = true;
        if (call != null) {
            call.cancel("the bench closed the watch", null);
        }
        ServerChannels.shutdown(channel);
    }
}
