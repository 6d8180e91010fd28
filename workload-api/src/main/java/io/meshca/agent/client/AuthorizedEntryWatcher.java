package io.meshca.agent.client;

import io.grpc.Channel;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.meshca.agent.retry.Backoff;
import io.meshca.agent.retry.RetryLog;
import io.meshca.common.error.UnavailableException;
import io.meshca.proto.server.v1.AgentGrpc;
import io.meshca.proto.server.v1.WatchAuthorizedRequest;
import io.meshca.proto.server.v1.WatchAuthorizedResponse;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the WatchAuthorized stream open: the server pushes a snapshot, then changes as they happen.
 * When the stream breaks, it reconnects after an exponential backoff with jitter (or at once when told
 * the connection is back, {@link #reconnectNow}) and resumes from the last completely applied
 * revision; meanwhile the cache keeps serving what it has. Reconnects run on
 * the given scheduler; messages are handled on gRPC's executor, one at a time per stream.
 */
public final class AuthorizedEntryWatcher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AuthorizedEntryWatcher.class);

    static final String BROKE = "watch of authorized entries broke";

    private final Channel agentChannel;
    private final WatchApplier applier;
    private final LongSupplier appliedRevision;
    private final ScheduledExecutorService scheduler;
    private final RandomGenerator random;
    private final Backoff backoff;
    private final int pageSize;
    private final Object lock = new Object();
    private ClientCallStreamObserver<WatchAuthorizedRequest> call;
    private ScheduledFuture<?> reconnect;
    private int failures;
    private boolean closed;

    /**
     * @param appliedRevision the revision the cache has fully applied: where a reconnect resumes
     * @param pageSize entries per page to ask for, 0 for the server's default
     */
    public AuthorizedEntryWatcher(
            Channel agentChannel,
            WatchApplier applier,
            LongSupplier appliedRevision,
            ScheduledExecutorService scheduler,
            RandomGenerator random,
            Backoff backoff,
            int pageSize) {
        this.agentChannel = agentChannel;
        this.applier = applier;
        this.appliedRevision = appliedRevision;
        this.scheduler = scheduler;
        this.random = random;
        this.backoff = backoff;
        this.pageSize = pageSize;
    }

    public void start() {
        connect();
    }

    /**
     * Reconnects at once if the stream is broken and waiting for its next attempt: the connection to
     * the server is back, and the backoff's wait would only delay what the server has to say.
     */
    public void reconnectNow() {
        synchronized (lock) {
            if (reconnect == null || !reconnect.cancel(false)) {
                return;
            }
            reconnect = null;
        }
        connect();
    }

    private void connect() {
        long since = appliedRevision.getAsLong();
        synchronized (lock) {
            reconnect = null;
            if (closed) {
                return;
            }
            applier.reset();
            log.debug("watching authorized entries since revision {}", since);
            AgentGrpc.newStub(agentChannel)
                    .watchAuthorized(
                            WatchAuthorizedRequest.newBuilder()
                                    .setSinceRevision(since)
                                    .setPageSize(pageSize)
                                    .build(),
                            new Observer());
        }
    }

    private final class Observer implements ClientResponseObserver<WatchAuthorizedRequest, WatchAuthorizedResponse> {
        private boolean received;

        @Override
        public void beforeStart(ClientCallStreamObserver<WatchAuthorizedRequest> requestStream) {
            synchronized (lock) {
                call = requestStream;
            }
        }

        @Override
        public void onNext(WatchAuthorizedResponse page) {
            if (!received) {
                received = true;
                synchronized (lock) {
                    failures = 0;
                }
            }
            try {
                applier.onPage(page);
            } catch (RuntimeException e) {
                log.warn("dropping a malformed watch update from the server and reconnecting: {}", e.getMessage());
                synchronized (lock) {
                    if (call != null) {
                        call.cancel("malformed update", e);
                    }
                }
            }
        }

        @Override
        public void onError(Throwable error) {
            reconnectLater(ServerErrors.fromStatus(BROKE, agentChannel.authority(), error));
        }

        @Override
        public void onCompleted() {
            reconnectLater(new UnavailableException(BROKE + ": the server ended the stream"));
        }
    }

    private void reconnectLater(RuntimeException reason) {
        Duration delay;
        synchronized (lock) {
            call = null;
            if (closed) {
                return;
            }
            delay = backoff.delay(failures++, random.nextDouble());
        }
        RetryLog.retrying(
                log, reason, "serving the cached state, resuming from revision " + appliedRevision.getAsLong(), delay);
        try {
            synchronized (lock) {
                reconnect = scheduler.schedule(this::connect, delay.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (RejectedExecutionException e) {
            log.debug("not reconnecting the watch: the agent is shutting down");
        }
    }

    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
            if (reconnect != null) {
                reconnect.cancel(false);
                reconnect = null;
            }
            if (call != null) {
                call.cancel("agent shutting down", null);
                call = null;
            }
        }
    }
}
