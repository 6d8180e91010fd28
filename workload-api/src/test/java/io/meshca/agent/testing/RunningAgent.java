package io.meshca.agent.testing;

import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.meshca.agent.AgentEvents;
import io.meshca.agent.NodeAgent;
import io.meshca.agent.config.AgentConfig;
import io.meshca.agent.identity.AgentSvid;
import io.meshca.agent.rotation.IssuedBatch;
import io.meshca.common.grpc.UnixSockets;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.proto.workload.SpiffeWorkloadAPIGrpc;
import io.meshca.proto.workload.X509SVIDRequest;
import io.meshca.proto.workload.X509SVIDResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A real node agent in this JVM for end-to-end tests, seen as its users see it: through its Workload
 * API socket, and through the {@link AgentEvents} it reports (the SVID it presents, its syncs, the
 * workload SVIDs it issues). Tests
 * get nothing of the agent's parts, so they check what a workload or an operator could.
 */
public final class RunningAgent implements AutoCloseable {

    /** How long one Workload API call may take, including waiting for an SVID still being signed. */
    public static final Duration CALL_DEADLINE = Duration.ofSeconds(30);

    private static final Metadata.Key<String> SECURITY_HEADER =
            Metadata.Key.of("workload.spiffe.io", Metadata.ASCII_STRING_MARSHALLER);

    private final AgentConfig config;
    private final NodeAgent agent;
    private final Recorder events;
    private ManagedChannel channel;

    private RunningAgent(AgentConfig config, NodeAgent agent, Recorder events) {
        this.config = config;
        this.agent = agent;
        this.events = events;
    }

    /** Starts {@link NodeAgent} with {@code config}; fails as {@link NodeAgent#start} does. */
    public static RunningAgent start(AgentConfig config) {
        Recorder events = new Recorder();
        return new RunningAgent(config, NodeAgent.start(config, events), events);
    }

    /** The Workload API and SDS socket. */
    public Path socketPath() {
        return config.socketPath();
    }

    /** The SVID the agent presents to the server now. */
    public AgentSvid agentSvid() {
        return events.svid;
    }

    /** This agent's SPIFFE ID, the parent of the entries it serves. */
    public SpiffeId agentId() {
        return agentSvid().spiffeId();
    }

    /** The batches of workload SVIDs the agent has issued so far, oldest first (a taint's replacements say so). */
    public List<IssuedBatch> issuedBatches() {
        return List.copyOf(events.issued);
    }

    /** Waits until the agent has applied a complete snapshot from the server; false on timeout. */
    public boolean awaitSynced(Duration timeout) {
        try {
            return events.synced.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * The first answer of FetchX509SVID to this JVM, as a workload gets it over the socket. Waits while
     * an entry names this JVM but its SVID is still being signed.
     *
     * @throws StatusRuntimeException as the Workload API answers: PERMISSION_DENIED if no entry names
     *     this JVM
     */
    public synchronized X509SVIDResponse fetchX509Svid() {
        if (channel == null) {
            channel = UnixSockets.channel(socketPath());
        }
        Metadata header = new Metadata();
        header.put(SECURITY_HEADER, "true");
        return SpiffeWorkloadAPIGrpc.newBlockingStub(channel)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(header))
                .withDeadlineAfter(CALL_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
                .fetchX509SVID(X509SVIDRequest.getDefaultInstance())
                .next();
    }

    /** This JVM's first X509-SVID from the Workload API, or null while no entry names this JVM. */
    public FetchedX509Svid firstSvidOrNull() {
        try {
            return FetchedX509Svid.first(fetchX509Svid());
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.PERMISSION_DENIED) {
                return null;
            }
            throw e;
        }
    }

    /** Stops the agent (its socket is removed) and closes this fixture's channel; idempotent. */
    @Override
    public synchronized void close() {
        if (channel != null) {
            UnixSockets.shutdown(channel);
            channel = null;
        }
        agent.close();
    }

    private static final class Recorder implements AgentEvents {
        final CountDownLatch synced = new CountDownLatch(1);
        final List<IssuedBatch> issued = new CopyOnWriteArrayList<>();
        volatile AgentSvid svid;

        @Override
        public void workloadSvidsIssued(IssuedBatch batch) {
            issued.add(batch);
        }

        @Override
        public void agentSvidInUse(AgentSvid svid) {
            this.svid = svid;
        }

        @Override
        public void synced(long revision) {
            synced.countDown();
        }
    }
}
