package io.meshca.samples.bench;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.meshca.agent.client.ServerChannels;
import io.meshca.agent.identity.AgentCredentials;
import io.meshca.agent.retry.Backoff;
import io.meshca.common.error.GrpcErrors;
import io.meshca.common.spiffe.TrustDomain;
import io.meshca.proto.server.v1.AgentGrpc;
import io.meshca.proto.server.v1.BatchSignX509SvidsRequest;
import io.meshca.proto.server.v1.BatchSignX509SvidsResponse;
import io.meshca.proto.server.v1.SvidSigningRequest;
import io.meshca.proto.server.v1.SvidSigningResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One attested agent of the storm, reduced to what a storm is made of: a fresh mTLS connection with its
 * agent SVID, and batch signing calls for all its SVIDs at once (batches of at most 100, as the agent
 * sends them), each retried as the agent retries it — after a busy refusal, the server's delay plus
 * jitter ({@link Backoff#busyDelay}); after any other failure, the agent's backoff. Calls are
 * asynchronous, so a thousand agents need no thousand threads in the bench.
 */
final class StormAgent {

    static final int BATCH_SIZE = 100;

    /** The agent's own call deadline. */
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

    private final AgentCredentials credentials;
    private final List<SvidSigningRequest> requests;
    private final SplittableRandom random;
    private ManagedChannel channel;

    /** @param requests one per SVID: the entry and a CSR for a key of its own */
    StormAgent(AgentCredentials credentials, List<SvidSigningRequest> requests, long seed) {
        this.credentials = credentials;
        this.requests = List.copyOf(requests);
        this.random = new SplittableRandom(seed);
    }

    int svids() {
        return requests.size();
    }

    /** Connects anew and asks for every SVID at once; outcomes go to {@code counts}. */
    void storm(int port, TrustDomain trustDomain, StormCounts counts, ScheduledExecutorService timers) {
        channel = ServerChannels.mutualTls("127.0.0.1", port, trustDomain, credentials);
        AgentGrpc.AgentStub stub = AgentGrpc.newStub(channel);
        for (int from = 0; from < requests.size(); from += BATCH_SIZE) {
            send(stub, requests.subList(from, Math.min(requests.size(), from + BATCH_SIZE)), -1, counts, timers);
        }
    }

    /** @param failures consecutive failures so far; -1 for the first call, which waits for the new connection */
    private void send(
            AgentGrpc.AgentStub stub,
            List<SvidSigningRequest> batch,
            int failures,
            StormCounts counts,
            ScheduledExecutorService timers) {
        long sentAt = System.nanoTime();
        stub.withDeadlineAfter(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                .batchSignX509Svids(
                        BatchSignX509SvidsRequest.newBuilder()
                                .addAllRequests(batch)
                                .build(),
                        new StreamObserver<>() {
                            @Override
                            public void onNext(BatchSignX509SvidsResponse response) {
                                long latency = System.nanoTime() - sentAt;
                                List<SvidSigningRequest> failed = new ArrayList<>();
                                for (int i = 0; i < batch.size(); i++) {
                                    SvidSigningResult result =
                                            i < response.getResultsCount() ? response.getResults(i) : null;
                                    if (result != null && result.hasSvid()) {
                                        counts.completed(latency, failures < 0);
                                    } else {
                                        failed.add(batch.get(i));
                                    }
                                }
                                counts.admitted(batch.size());
                                if (!failed.isEmpty()) {
                                    counts.errors(failed.size());
                                    retry(stub, failed, backoff(failures), Math.max(0, failures) + 1, counts, timers);
                                }
                            }

                            @Override
                            public void onError(Throwable error) {
                                Optional<Duration> busy =
                                        Status.fromThrowable(error).getCode() == Status.Code.RESOURCE_EXHAUSTED
                                                ? GrpcErrors.retryDelay(error)
                                                : Optional.empty();
                                if (busy.isPresent()) {
                                    counts.rejected(batch.size());
                                    Duration wait = Backoff.busyDelay(busy.get(), nextDouble(), Duration.ZERO);
                                    counts.waited(wait);
                                    retry(stub, batch, wait, Math.max(0, failures), counts, timers);
                                } else {
                                    counts.errors(batch.size());
                                    counts.failedCall(error);
                                    retry(stub, batch, backoff(failures), Math.max(0, failures) + 1, counts, timers);
                                }
                            }

                            @Override
                            public void onCompleted() {}
                        });
    }

    private void retry(
            AgentGrpc.AgentStub stub,
            List<SvidSigningRequest> batch,
            Duration wait,
            int failures,
            StormCounts counts,
            ScheduledExecutorService timers) {
        if (counts.isOver()) {
            return;
        }
        timers.schedule(() -> send(stub, batch, failures, counts, timers), wait.toMillis(), TimeUnit.MILLISECONDS);
    }

    private Duration backoff(int failures) {
        return Backoff.DEFAULT.delay(Math.max(0, failures), nextDouble());
    }

    private synchronized double nextDouble() {
        return random.nextDouble();
    }

    /** Builds a signing request for one SVID. */
    static SvidSigningRequest request(String entryId, byte[] csr) {
        return SvidSigningRequest.newBuilder()
                .setEntryId(entryId)
                .setCsr(ByteString.copyFrom(csr))
                .build();
    }

    void close() {
        if (channel != null) {
            ServerChannels.shutdown(channel);
        }
    }
}
